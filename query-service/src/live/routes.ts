import type {} from '@fastify/sse'
import {
  authenticate,
  BadRequestError,
  bearerToken,
  callerOf,
  type HttpApp,
  problemResponses,
} from '@jetnotes/platform'
import { Id } from '@jetnotes/schemas'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { QueryContext } from '../context.ts'
import { consistentReads, viewFor } from '../read-models/consistency.ts'
import { ReadHeaders, visibleNote } from '../routes/notes.ts'
import { LiveConnection } from './live-connection.ts'
import { LiveConnections } from './live-connections.ts'
import { parseEventId } from './live-event.ts'
import type { LiveHub } from './live-hub.ts'

export type LiveOptions = { retryMs: number; maxQueuedEvents: number }

const LiveQuery = z.strictObject({
  access_token: z
    .string()
    .max(300)
    .optional()
    .describe(
      'The bearer token, for clients that cannot send headers (browser EventSource). The name is matched ' +
        'after percent-decoding (`access%5Ftoken` is the same URL), in this case only, and once only. ' +
        'Never logged.',
    ),
  lastEventId: z
    .string()
    .max(40)
    .optional()
    .describe('Resume after this event id (as the Last-Event-ID header)'),
})

const LiveHeaders = ReadHeaders.extend({
  'last-event-id': z
    .string()
    .max(40)
    .optional()
    .describe('Resume after this event id: replays what was missed'),
})

const stream = z
  .string()
  .describe(
    'text/event-stream. Each message: `id` (a position to resume from), `event` (the event type) and `data`: ' +
      '{noteId, version, type, actor: {id, name}, time, note}, where `note` is the note view after the change, ' +
      'or null once the note is deleted or no longer visible to you (the last message you get about it).',
  )

/**
 * The bearer token from the Authorization header, or from `?access_token=` (EventSource sends no headers).
 * `LiveQuery` has already refused any other spelling (strict: `ACCESS_TOKEN` is an unknown parameter) and a
 * repeated one (a list is not a string); the logger keeps its value out of every line whatever the spelling.
 */
const liveToken = (request: FastifyRequest) => {
  const query = request.query as { access_token?: unknown }
  return bearerToken(request) ?? (typeof query.access_token === 'string' ? query.access_token : undefined)
}

/** Server-Sent Events: every change to the notes the caller can see, or to one note. */
export const liveRoutes = (
  app: HttpApp,
  context: QueryContext,
  hub: LiveHub,
  options: LiveOptions & { heartbeatMs: number },
) => {
  const preHandler = [
    authenticate(context.directory, liveToken),
    consistentReads(context.readModels, 'notes', context.consistencyTimeoutMs),
  ]
  // Each open stream with the token it was opened with: a stream ends when its token stops being valid
  // (rotated, or the account deactivated), as the next request with that token would be refused.
  const connections = new LiveConnections(options.heartbeatMs)
  const stopWatchingAccounts = context.directory.onChange((userId) => {
    for (const [connection, token] of connections.entries()) {
      if (connection.userId === userId && !context.directory.accepts(token)) {
        connections.untrack(connection)
        connection.close()
      }
    }
  })
  app.addHook('preClose', async () => {
    stopWatchingAccounts()
    connections.closeAll()
  })

  const open = async (request: FastifyRequest, reply: FastifyReply, noteId?: string) => {
    const query = request.query as z.infer<typeof LiveQuery>
    const header = request.headers['last-event-id']
    const resumeFrom = typeof header === 'string' && header !== '' ? header : query.lastEventId
    const after = resumeFrom === undefined ? undefined : parseEventId(resumeFrom)
    if (resumeFrom !== undefined && after === undefined) {
      throw new BadRequestError('Last-Event-ID is not an id this stream sent', 'Last-Event-ID')
    }
    const user = callerOf(request)
    reply.sse.keepAlive()
    reply.header('cache-control', 'no-cache')
    reply.header('x-accel-buffering', 'no')
    await reply.sse.send({ retry: options.retryMs, data: undefined })
    const connection = new LiveConnection(
      user.id,
      noteId,
      reply,
      { maxQueuedEvents: options.maxQueuedEvents },
      connections,
      () => {
        context.metrics.liveClientsCut.inc()
        request.log.warn(
          { userId: user.id },
          'live client too slow: disconnected (it resumes from its last id)',
        )
      },
    )
    connections.track(connection, liveToken(request) ?? '')
    const unsubscribe = hub.subscribe(connection, after)
    reply.sse.onClose(() => {
      unsubscribe()
      connections.untrack(connection)
      connection.close()
    })
  }

  app.get(
    '/events',
    {
      sse: { kind: 'manual', serializer: (data: unknown) => String(data) },
      // A HEAD would open a stream that never ends and never answer; without the route it gets a 404 problem.
      exposeHeadRoute: false,
      preHandler,
      schema: {
        tags: ['live'],
        security: [{ bearer: [] }],
        summary: 'Live changes to every note the caller can see (Server-Sent Events)',
        headers: LiveHeaders,
        querystring: LiveQuery,
        response: { 200: stream, ...problemResponses(400, 401) },
      },
    },
    (request, reply) => open(request, reply),
  )

  app.get(
    '/notes/:id/events',
    {
      sse: { kind: 'manual', serializer: (data: unknown) => String(data) },
      // A HEAD would open a stream that never ends and never answer; without the route it gets a 404 problem.
      exposeHeadRoute: false,
      preHandler,
      schema: {
        tags: ['live'],
        security: [{ bearer: [] }],
        summary: 'Live changes to one note (Server-Sent Events); 404 if the caller cannot see it',
        headers: LiveHeaders,
        params: z.object({ id: Id }),
        querystring: LiveQuery,
        response: { 200: stream, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await visibleNote(viewFor(context.readModels, request), request.params.id, callerOf(request).id)
      return open(request, reply, request.params.id)
    },
  )
}
