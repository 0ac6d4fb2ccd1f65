import type { ListPosition } from './notes/list-order.ts'
import type { Note } from './notes/state.ts'
import type { NoteSummary } from './notes/view.ts'
import type { StreamName } from './streams.ts'

/**
 * The projections: each folds one stream into one or more read models (KV buckets). A projection is rebuilt as
 * a whole, into a new generation of its buckets, so its read models always switch together.
 */
export const projections = {
  notes: { stream: 'NOTES', readModels: ['notes', 'note-lists'], shape: 2 },
  users: { stream: 'USERS', readModels: ['users'], shape: 2 },
} as const satisfies Record<string, { stream: StreamName; readModels: readonly string[]; shape: number }>
/*
 * `shape` is the version of a projection's read models. A generation built by older code has an older shape;
 * the projector rebuilds it into a new generation at start-up (blue/green, reads go on), see
 * `ActiveGeneration.shape`. Shape 1 of `notes` kept each user's whole list in one `note-index` entry; shape 1 of
 * `users` had no `version` in its records (the rule of the next version needs it).
 */

export type ProjectionName = keyof typeof projections
export type ReadModelName = (typeof projections)[ProjectionName]['readModels'][number]
export const projectionNames = Object.keys(projections) as ProjectionName[]

/** The bucket holding one generation of a read model, e.g. `notes-g3`. */
export const bucketName = (readModel: ReadModelName | LegacyReadModelName, generation: number) =>
  `${readModel}-g${generation}`

/** Read models of older shapes (see `olderShapes`). */
export type LegacyReadModelName = 'note-index'

/**
 * How many durable consumer names each projection has. Generations take them in turn (generation % slots): at
 * most the live generation and the one a rebuild builds have a consumer that runs. A fixed set of names is what
 * lets nats-auth.conf deny the other services every API call on the projector's consumers, since NATS
 * permissions match whole subject tokens and could never match `-g<any number>`.
 */
export const consumerSlots = 3

/** The durable consumer that feeds one generation of a projection (its description names the generation). */
export const consumerName = (projection: ProjectionName, generation: number) =>
  `projector-${projection}-${generation % consumerSlots}`

/** The consumer's description, which tells which generation holds its slot now. */
export const consumerDescription = (projection: ProjectionName, generation: number) =>
  `jetnotes projector: ${projection} generation ${generation}`

/** What the consumer of a generation was called before the names became slots (removed once replaced). */
export const unslottedConsumerName = (projection: ProjectionName, generation: number) =>
  `projector-${projection}-g${generation}`

/**
 * The small bucket that says which generation of each projection is live, and how far each has got. The
 * query-service reads through the pointer, so switching it switches every read model of a projection at once.
 */
export const metaBucket = 'projections'
export const metaKeys = {
  active: (projection: ProjectionName) => `active.${projection}`,
  position: (projection: ProjectionName, generation: number) => `position.${projection}.g${generation}`,
  lease: (projection: ProjectionName) => `lease.${projection}`,
}

/**
 * `lease.<projection>`: which projector process folds the projection (one at a time; the others stand by and
 * take over once it stops renewing). Times are the holder's clock, for people: standbys judge expiry by when
 * they last saw the entry change, so clocks need not agree.
 */
export type ProjectionLease = { holder: string; since: string; renewedAt: string; expiresAt: string }

/**
 * What the projector could not apply, parked with the reason instead of being dropped or stalling the rest:
 * events that failed validation (`<projection>.<seq>`), and writes of a read-model entry that kept failing
 * (`<projection>.write.<readModel>.<key>`: too large, refused), which leave that entry behind the log until the
 * cause is fixed and the projection rebuilt.
 */
export const parkedBucket = 'projector-parked'
export const parkedKeys = {
  event: (projection: ProjectionName, seq: number) => `${projection}.${seq}`,
  write: (projection: ProjectionName, readModel: ReadModelName, key: string) =>
    `${projection}.write.${readModel}.${key}`,
  writesOf: (projection: ProjectionName) => `${projection}.write.>`,
  allOf: (projection: ProjectionName) => `${projection}.>`,
}

/** `active.<projection>`: the live generation, and the shape of its read models (absent: shape 1). */
export type ActiveGeneration = { generation: number; since: string; shape?: number }

/** The shape of a live generation's read models, from its pointer. */
export const shapeOf = (active: ActiveGeneration) => active.shape ?? 1

/**
 * The read models of each projection in the shapes before the current one, by shape: a generation of an older
 * shape has these buckets instead (the query-service reads them until the upgrade rebuild switches over).
 */
export const olderShapes: Readonly<
  Record<ProjectionName, Readonly<Record<number, readonly (ReadModelName | LegacyReadModelName)[]>>>
> = {
  notes: { 1: ['notes', 'note-index'] },
  users: { 1: ['users'] },
}

/** The read models of a generation of the given shape. */
export const readModelsOfShape = (
  projection: ProjectionName,
  shape: number,
): readonly (ReadModelName | LegacyReadModelName)[] =>
  shape === projections[projection].shape
    ? projections[projection].readModels
    : (olderShapes[projection][shape] ?? [])

/** `position.<projection>.g<n>`: every event up to `seq` is in that generation's read models. */
export type ProjectionPosition = {
  seq: number
  /**
   * The stream's last sequence as the projector saw it when it reported. Not the lag: a stopped projector
   * reports nothing, so readers measure lag against the stream's end as they see it now.
   */
  streamSeq: number
  at: string
}

/** `notes` read model: a note (deleted ones too, for their owner's history) and the event it reflects. */
export type NoteRecord = { note: Note; seq: number }

/**
 * The `note-lists` read model: each user's list of the notes they can see, newest first, in pages of at most
 * `NOTE_LIST_PAGE_SIZE` summaries, found through a two-level directory, so a change writes a few entries of
 * bounded size whatever the list's length. Per user:
 * - `<userId>`: the head, naming the first page (what a first page read starts from);
 * - `<userId>.dir`: the root of the directory: its directory pages in order, each with the newest position it
 *   may hold (rewritten only when a directory page splits or merges);
 * - `<userId>.d.<id>`: a directory page: at most `NOTE_LIST_DIRECTORY_SIZE` pages, each with the newest
 *   position it may hold (the first's bound is the directory page's own, `null`);
 * - `<userId>.p.<pageId>`: a page: its summaries, the next page, and the event it reflects.
 * A page is rewritten in place when a note in its range changes; a split or a merge writes new pages (new ids)
 * and then switches the head and the directory to them, so a reader never sees a half-split page.
 */
export const noteListKeys = {
  head: (userId: string) => userId,
  directory: (userId: string) => `${userId}.dir`,
  directoryPage: (userId: string, id: string) => `${userId}.d.${id}`,
  page: (userId: string, pageId: string) => `${userId}.p.${pageId}`,
}

/** A page id: the stream sequence of the event that made the page, and a letter. */
export const NotePageId = /^[0-9]{1,16}[a-z]$/

export type NoteListHead = { first: string }
/** A page of the list or of its directory, and the newest position it may hold (`null`: no bound of its own). */
export type PageRef = { id: string; from: ListPosition | null }
/** `<userId>.dir` and `<userId>.d.<id>`: pages in list order (directory pages, or pages of summaries). */
export type NoteListDirectory = { pages: PageRef[] }
export type NoteListPage = { notes: NoteSummary[]; next: string | null; seq: number }

/** Shape 1 of the list (`note-index-gN`, one entry per user), read only while an upgrade rebuild runs. */
export type LegacyNoteIndex = { notes: NoteSummary[]; seq: number }

/** `users` read model, keyed by user id. */
export type UserRecord = { id: string; name: string; active: boolean; version: number; seq: number }

/** A parked write: the entry, the last event of the batch that could not be written, and why. */
export type ParkedWrite = {
  kind: 'write'
  projection: ProjectionName
  readModel: ReadModelName
  key: string
  seq: number
  reason: string
  at: string
}

/** A parked event: where it is in the log and why it was refused. */
export type ParkedEvent = {
  projection: ProjectionName
  stream: string
  seq: number
  subject: string
  reason: string
  at: string
}

/**
 * The entry the projector puts into every read-model bucket of a generation after writing a batch's entries:
 * a reader that follows a bucket in order (a KV watch) holds everything up to `seq` once it has seen it. The
 * `=` keeps the key apart from every id (ids are `[A-Za-z0-9_-]`), so readers of a whole bucket skip this key.
 */
export const positionMarkerKey = '=position'

/** The value under `positionMarkerKey`. */
export type PositionMarker = { seq: number; at: string }
