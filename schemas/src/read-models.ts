import type { Note } from './notes/state.ts'
import type { NoteSummary } from './notes/view.ts'
import type { StreamName } from './streams.ts'

/**
 * The projections: each folds one stream into one or more read models (KV buckets). A projection is rebuilt as
 * a whole, into a new generation of its buckets, so its read models always switch together.
 */
export const projections = {
  notes: { stream: 'NOTES', readModels: ['notes', 'note-index'] },
  users: { stream: 'USERS', readModels: ['users'] },
} as const satisfies Record<string, { stream: StreamName; readModels: readonly string[] }>

export type ProjectionName = keyof typeof projections
export type ReadModelName = (typeof projections)[ProjectionName]['readModels'][number]
export const projectionNames = Object.keys(projections) as ProjectionName[]

/** The bucket holding one generation of a read model, e.g. `notes-g3`. */
export const bucketName = (readModel: ReadModelName, generation: number) => `${readModel}-g${generation}`

/** The durable consumer that feeds one generation of a projection. */
export const consumerName = (projection: ProjectionName, generation: number) =>
  `projector-${projection}-g${generation}`

/**
 * The small bucket that says which generation of each projection is live, and how far each has got. The
 * query-service reads through the pointer, so switching it switches every read model of a projection at once.
 */
export const metaBucket = 'projections'
export const metaKeys = {
  active: (projection: ProjectionName) => `active.${projection}`,
  position: (projection: ProjectionName, generation: number) => `position.${projection}.g${generation}`,
}

/** Events that failed validation, parked with the reason instead of being dropped or stalling the rest. */
export const parkedBucket = 'projector-parked'

/** `active.<projection>`: the live generation. */
export type ActiveGeneration = { generation: number; since: string }

/** `position.<projection>.g<n>`: every event up to `seq` is in that generation's read models. */
export type ProjectionPosition = {
  seq: number
  /** The stream's last sequence when the projector last reported (`seq` behind it is the lag). */
  streamSeq: number
  at: string
}

/** `notes` read model: a note (deleted ones too, for their owner's history) and the event it reflects. */
export type NoteRecord = { note: Note; seq: number }

/** `note-index` read model, keyed by user id: the notes the user can see, newest first. */
export type NoteIndex = { notes: NoteSummary[]; seq: number }

/** `users` read model, keyed by user id. */
export type UserRecord = { id: string; name: string; active: boolean; seq: number }

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
