import {
  authenticate,
  callerOf,
  etagOf,
  type HttpApp,
  problemResponses,
  reportInvalidMessagesTo,
} from '@jetnotes/platform'
import {
  AuditEntry,
  Id,
  isSharedWith,
  type NoteRecord,
  NoteVersionView,
  NotFoundError,
  page,
  toNoteView,
  type UserRecord,
} from '@jetnotes/schemas'
import { z } from 'zod'
import type { QueryContext } from '../context.ts'
import { consistentReads, viewFor } from '../read-models/consistency.ts'
import type { ReadView } from '../read-models/read-models.ts'
import { decodeCursor, encodeCursor } from '../routes/cursor.ts'
import { ReadHeaders } from '../routes/notes.ts'
import { auditTrail, noteAtVersion } from './audit.ts'
import { readNoteCommits } from './note-log.ts'

const security = [{ bearer: [] }]
const tags = ['history']

const HistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
})

/**
 * Who may read a note's past: whoever can see it now, and its owner even after deleting it. Anyone else gets
 * 404, the same answer as for a note that never existed.
 */
const assertHistoryVisible = async (view: ReadView, noteId: string, userId: string) => {
  const entry = await view.notes.get(noteId)
  const note = entry?.operation === 'PUT' ? entry.json<NoteRecord>().note : undefined
  const visible =
    note !== undefined && (note.owner === userId || (!note.deleted && isSharedWith(note.shares, userId)))
  if (!visible) throw new NotFoundError('Note not found')
}

/** The audit history of a note and its past versions, both folded from the log itself. */
export const historyRoutes = (app: HttpApp, context: QueryContext) => {
  const { readModels, jsm } = context
  const report = reportInvalidMessagesTo(context.logger, 'note-history')
  const preHandler = [
    authenticate(context.directory),
    consistentReads(readModels, 'notes', context.consistencyTimeoutMs),
  ]

  app.get(
    '/notes/:id/history',
    {
      preHandler,
      schema: {
        tags,
        security,
        summary:
          'Every change to a note, oldest first: version, position, event, actor, time, fields before/after',
        description:
          "Also lists, marked `refused: true` with a `reason`, the events of a commit the log holds but every view ignores: one that did not carry the note's next version (two writers raced on a replicated stream; the later writer was answered 412). A refused entry changes nothing: its `changes` are what it tried.",
        headers: ReadHeaders,
        params: z.object({ id: Id }),
        querystring: HistoryQuery,
        response: { 200: page(AuditEntry), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const view = viewFor(readModels, request)
      await assertHistoryVisible(view, request.params.id, callerOf(request).id)
      const { limit, cursor } = request.query
      // The cursor counts the entries already listed: the log is append-only, so the trail only ever grows at
      // its end (versions cannot count them: a refused commit repeats one). Without a refused commit the count
      // is the last version listed, what the cursor held before.
      const after = cursor === undefined ? 0 : Number(decodeCursor(cursor)[0] ?? 0)
      const trail = auditTrail(await readNoteCommits(jsm, request.params.id, report))
      const records = trail.slice(after, after + limit)
      const names = await actorNames(view, new Set(records.map((record) => record.actorId)))
      const items = records.map(({ actorId, ...record }) => ({
        ...record,
        actor: { id: actorId, name: names.get(actorId) ?? null },
      }))
      const listed = after + records.length
      return { items, nextCursor: listed < trail.length ? encodeCursor([listed]) : null }
    },
  )

  app.get(
    '/notes/:id/versions/:version',
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: 'A note as it was at a past version, folded from the log',
        headers: ReadHeaders,
        params: z.object({ id: Id, version: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
        response: { 200: NoteVersionView, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await assertHistoryVisible(viewFor(readModels, request), request.params.id, callerOf(request).id)
      const note = noteAtVersion(
        await readNoteCommits(jsm, request.params.id, report),
        request.params.version,
      )
      if (note === undefined) throw new NotFoundError('The note has no such version')
      reply.header('etag', etagOf(note.version))
      return { ...toNoteView(note), deleted: note.deleted }
    },
  )
}

/** The current names of the actors, from the `users` read model. */
const actorNames = async (view: ReadView, actorIds: Set<string>) => {
  const entries = await Promise.all(
    [...actorIds].map(async (id) => {
      const entry = await view.users.get(id)
      return [id, entry?.operation === 'PUT' ? entry.json<UserRecord>().name : undefined] as const
    }),
  )
  return new Map(entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined))
}
