import replyFrom from '@fastify/reply-from'
import { problem, sendProblem } from '@jetnotes/platform'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { clearSessionCookie, sessionTokenOf } from './session-cookie.ts'
import { passedBack, type Upstreams, upstreamHeaders } from './upstream.ts'

/**
 * Service routes whose answers carry a bearer token: through the gateway, that token would reach JavaScript.
 * The browser signs in and out with /api/session and signs up with POST /api/users (session-routes.ts).
 */
const tokenIssuing = [/^\/users\/me\/token\/?$/, /^\/sessions(\/.*)?$/]

/** A proxy failure as a problem: the service is down (503, try again), too slow (504), or broke off (502). */
const sendUpstreamFailure = (reply: FastifyReply, error: Error & { statusCode?: number }) => {
  const instance = reply.request.url.split('?')[0]
  reply.request.log.warn({ err: error }, 'the service behind the gateway failed')
  if (error.statusCode === 504) {
    return sendProblem(
      reply,
      problem('gateway-timeout', 504, 'The service did not answer in time', { instance }),
    )
  }
  const cause = error.cause as { code?: string } | undefined
  if (error.statusCode === 503 || cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND') {
    reply.header('retry-after', '1')
    return sendProblem(reply, problem('unavailable', 503, 'The service is not reachable', { instance }))
  }
  return sendProblem(reply, problem('bad-gateway', 502, 'The service broke off its answer', { instance }))
}

/** How long a stopping gateway lets the answers under way finish. */
const closeGraceMs = 2_000

/** Where a browser's /api request goes: reads to the query-service, writes to the command-service. */
const upstreamOf = (method: string, upstreams: Upstreams) =>
  method === 'GET' || method === 'HEAD' ? upstreams.queryUrl : upstreams.commandUrl

/**
 * `/api/<path>` → the service's `/<path>`, with the query string, the body as the browser sent it (streamed,
 * not parsed here) and the allowed headers, the session's token as the bearer token; the answer streamed back
 * (the live streams too: each event reaches the browser as the service writes it, and the service's stream
 * closes when the browser goes away). An answer 401 means the session is over: the cookie goes with it.
 */
export const registerProxyRoutes = async (app: FastifyInstance, upstreams: Upstreams) => {
  // Nothing retried: a write may not be repeated behind the browser's back, and a read's 503 (a consistency
  // token the views have not reached in time) is the browser's to see, with its Retry-After.
  await app.register(replyFrom, { retryMethods: [], disableRequestLogging: true })
  // The body goes to the service untouched, whatever its type: the service parses and validates it.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  // The live streams being proxied: ended when the gateway stops, which would otherwise wait for each browser.
  const liveStreams = new Set<{ destroy: () => void }>()
  app.addHook('preClose', async () => {
    for (const stream of liveStreams) stream.destroy()
    // A client that keeps a connection busy (a stream it stopped reading but never closed) would hold the
    // gateway open: after a grace period for the answers under way, every connection is closed.
    setTimeout(() => app.server.closeAllConnections(), closeGraceMs).unref()
  })

  const forward = (request: FastifyRequest, reply: FastifyReply, live: boolean) => {
    const path = request.url.slice('/api'.length)
    const pathOnly = path.split('?')[0] ?? ''
    if (tokenIssuing.some((pattern) => pattern.test(pathOnly))) {
      const instance = request.url.split('?')[0]
      return sendProblem(reply, problem('not-found', 404, 'No such route through the gateway', { instance }))
    }
    const token = sessionTokenOf(request)
    return reply.from(`${upstreamOf(request.method, upstreams)}${path}`, {
      rewriteRequestHeaders: (_original, headers) => ({
        ...upstreamHeaders(request, token),
        host: String(headers.host),
      }),
      rewriteHeaders: (headers) => passedBack(headers),
      onResponse: (_request, _reply, response) => {
        if (response.statusCode === 401 && token !== undefined) clearSessionCookie(request, reply)
        if (live) {
          liveStreams.add(response.stream)
          response.stream.once('close', () => liveStreams.delete(response.stream))
        }
        reply.send(response.stream)
      },
      onError: (_reply, { error }) => sendUpstreamFailure(reply, error),
      // A live stream stays open as long as the browser wants it (the service sends a heartbeat now and then).
      ...(live ? { timeout: 0 } : { timeout: 30_000 }),
    })
  }

  for (const path of ['/api/events', '/api/notes/:id/events']) {
    app.get(path, (request, reply) => forward(request, reply, true))
  }
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/*',
    handler: (request, reply) => forward(request, reply, false),
  })
}
