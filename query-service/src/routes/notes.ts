import { authenticate, callerOf, etagOf, type HttpApp, problemResponses } from '@jetnotes/platform'
import {
  canRead,
  Id,
  type NoteIndex,
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
import type { ReadView } from '../read-models/read-models.ts'
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

/** The note as the caller may see it, from the `notes` read model; NotFound when they may not (never 403). */
export const visibleNote = async (view: ReadView, noteId: string, userId: string) => {
  const entry = await view.notes.get(noteId)
  const record = entry?.operation === 'PUT' ? entry.json<NoteRecord>() : undefined
  if (record === undefined || !canRead(record.note, userId)) throw new NotFoundError('Note not found')
  return record.note
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
      const note = await visibleNote(viewFor(readModels, request), request.params.id, callerOf(request).id)
      const etag = etagOf(note.version)
      reply.header('etag', etag)
      if (request.headers['if-none-match'] === etag) return reply.status(304).send(null)
      return toNoteView(note)
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
        headers: ReadHeaders,
        querystring: ListQuery,
        response: { 200: page(NoteSummary), ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const { tag, q, limit, cursor } = request.query
      const entry = await viewFor(readModels, request)['note-index'].get(callerOf(request).id)
      const index = entry?.operation === 'PUT' ? entry.json<NoteIndex>() : { notes: [], seq: 0 }
      const needle = q?.toLowerCase()
      const matching = index.notes.filter(
        (note) =>
          (tag === undefined || note.tags.includes(tag)) &&
          (needle === undefined || note.title.toLowerCase().includes(needle)),
      )
      const start = cursor === undefined ? 0 : afterCursor(matching, cursor)
      const items = matching.slice(start, start + limit)
      const last = items.at(-1)
      const more = start + limit < matching.length && last !== undefined
      return { items, nextCursor: more ? encodeCursor([last.createdAt, last.id]) : null }
    },
  )
}

/** Where a page continues: after the note the cursor names (found by position in the newest-first order). */
const afterCursor = (notes: readonly NoteSummary[], cursor: string) => {
  const [createdAt, id] = decodeCursor(cursor)
  if (typeof createdAt !== 'string' || typeof id !== 'string') return notes.length
  const next = notes.findIndex(
    (note) => note.createdAt < createdAt || (note.createdAt === createdAt && note.id < id),
  )
  return next === -1 ? notes.length : next
}
