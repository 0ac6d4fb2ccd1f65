import {
  authenticate,
  BadRequestError,
  callerOf,
  etagOf,
  type HttpApp,
  inSpan,
  problemResponses,
  responseSerializer,
  sendSerialized,
  tracerOf,
} from '@jetnotes/platform'
import {
  canRead,
  Id,
  type Note,
  NotePageId,
  type NoteRecord,
  NoteSummary,
  NoteView,
  NotFoundError,
  page,
  Tag,
  toNoteView,
} from '@jetnotes/schemas'
import { z } from 'zod'
import type { QueryContext } from '../context.ts'
import { consistentReads, viewFor } from '../read-models/consistency.ts'
import { type ListStart, readNoteList } from '../read-models/note-lists.ts'
import type { ReadView } from '../read-models/read-models.ts'
import { type Derivation, derivedOf, type ViewEntry } from '../read-models/watched-bucket.ts'
import { decodeCursor, encodeCursor } from './cursor.ts'

const security = [{ bearer: [] }]
const tags = ['notes']

export const ReadHeaders = z.looseObject({
  'consistency-token': z
    .string()
    .optional()
    .describe(
      'The Consistency-Token of a command: wait until the views include that write (503 after the timeout). ' +
        'Without it the read is eventually consistent, served from memory a moment behind the views',
    ),
})

const ListQuery = z.strictObject({
  tag: Tag.optional().describe('Only notes with this tag'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Only notes whose title contains this text (any case)'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
})

const tracer = tracerOf('query-service')

/**
 * The answer to `GET /notes/:id` as the route's response schema serialises it (validated, then JSON): the same
 * function, called once per version of a note rather than once per read.
 */
const serializeNoteView = responseSerializer(NoteView, { method: 'GET', url: '/notes/:id' })

/** A note's entry, read: the note (for who may see it), its answer's JSON and its ETag. */
export type ShownNote = { note: Note; json: string; etag: string }

/** Worked out once per entry of the `notes` read model while it is cached (see `derivedOf`). */
const shownNote: Derivation<ShownNote | undefined> = {
  derive: (entry: ViewEntry) => {
    if (entry.operation !== 'PUT') return undefined
    const { note } = entry.json<NoteRecord>()
    return { note, json: serializeNoteView(toNoteView(note)), etag: etagOf(note.version) }
  },
  // The JSON, and about as much again for the parsed note.
  bytes: (shown) => (shown === undefined ? 0 : 2 * shown.json.length),
}

/**
 * The note as the caller may see it, from the `notes` read model, with its answer serialised; NotFound when they
 * may not see it (never 403).
 */
export const visibleNote = async (view: ReadView, noteId: string, userId: string): Promise<ShownNote> => {
  const attributes = {
    'db.system.name': 'nats-kv',
    'db.operation.name': 'get',
    'jetnotes.read_model': 'notes',
  }
  const entry = await inSpan(tracer, 'kv get notes', { attributes }, () => view.notes.get(noteId))
  const shown = entry === null ? undefined : derivedOf(entry, shownNote)
  if (shown === undefined || !canRead(shown.note, userId)) throw new NotFoundError('Note not found')
  return shown
}

/** Reading notes: one note, and the list of notes the caller can see. */
export const noteRoutes = (app: HttpApp, context: QueryContext) => {
  const { readModels } = context
  const preHandler = [
    authenticate(context.directory),
    consistentReads(readModels, 'notes', context.consistencyTimeoutMs),
  ]

  app.get(
    '/notes/:id',
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: 'A note the caller owns or that is shared with them',
        headers: ReadHeaders,
        params: z.object({ id: Id }),
        response: { 200: NoteView, 304: z.null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { json, etag } = await visibleNote(
        viewFor(readModels, request),
        request.params.id,
        callerOf(request).id,
      )
      reply.header('etag', etag)
      // An empty body: a 304 whose Content-Length counts a serialized `null` is refused by undici (the gateway).
      if (request.headers['if-none-match'] === etag)
        return reply
          .status(304)
          .serializer(() => '')
          .send(null)
      return sendSerialized(reply, json)
    },
  )

  app.get(
    '/notes',
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: 'The notes the caller can see (owned and shared), newest first, a page at a time',
        description:
          'Pass nextCursor back as cursor for the next page; null means the end of the list. A filtered request ' +
          '(tag, q) looks at a bounded number of notes (LIST_SCAN_LIMIT) and may answer with fewer than limit ' +
          'items, even none, and a nextCursor to go on from where it stopped.',
        headers: ReadHeaders,
        querystring: ListQuery,
        response: { 200: page(NoteSummary), ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const { tag, q, limit, cursor } = request.query
      const needle = q?.toLowerCase()
      const filtered = tag !== undefined || needle !== undefined
      const { items, next } = await readNoteList(
        {
          cached: viewFor(readModels, request)['note-lists'],
          current: () => readModels.view({ fresh: true })['note-lists'],
        },
        callerOf(request).id,
        {
          ...(cursor === undefined ? {} : { start: listStartOf(cursor) }),
          limit,
          scanLimit: Math.max(limit, context.listScanLimit),
          ...(filtered
            ? {
                accepts: (note: NoteSummary) =>
                  (tag === undefined || note.tags.includes(tag)) &&
                  (needle === undefined || note.title.toLowerCase().includes(needle)),
              }
            : {}),
        },
      )
      return {
        items,
        nextCursor: next === undefined ? null : encodeCursor([next.after[0], next.after[1], next.page]),
      }
    },
  )
}

/** Where a cursor continues: after the note it names, in the page that held it (cursors before pages name none). */
const listStartOf = (cursor: string): ListStart => {
  const [createdAt, id, page] = decodeCursor(cursor)
  if (
    typeof createdAt !== 'string' ||
    typeof id !== 'string' ||
    createdAt.length > 64 ||
    !Id.safeParse(id).success
  )
    throw new BadRequestError('cursor is not one this API returned', 'cursor')
  if (page === undefined) return { after: [createdAt, id] }
  if (typeof page !== 'string' || !NotePageId.test(page))
    throw new BadRequestError('cursor is not one this API returned', 'cursor')
  return { after: [createdAt, id], page }
}
