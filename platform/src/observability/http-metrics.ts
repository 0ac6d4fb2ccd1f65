import type { FastifyInstance } from 'fastify'
import type { ServiceMetrics } from './metrics.ts'

/** The route label of a request no route matched (a 404): its raw URL would make labels without bound. */
const unmatched = 'unmatched'

/**
 * Measures every HTTP request (by method, route pattern such as `/notes/:id`, never the raw URL, and status) in
 * `jetnotes_http_request_duration_seconds`, whose `_count` is the number of requests; and serves the metrics at
 * `GET /metrics` in Prometheus's text format. The scrape needs no token, is not rate-limited and is logged only
 * at warn: it shows counts, latencies and positions, never a user, a note or a URL's ids.
 */
export const registerMetrics = (app: FastifyInstance, metrics: ServiceMetrics) => {
  // A callback hook, not an async one: no promise per request on the hot path.
  app.addHook('onResponse', (request, reply, done) => {
    // An event stream sets its header on the raw response (Fastify's own replies do not: they are not streams).
    if (!isEventStream(reply.raw.getHeader('content-type'))) {
      metrics.httpRequests.observe(
        { method: request.method, route: request.routeOptions.url ?? unmatched, status: reply.statusCode },
        reply.elapsedTime / 1000,
      )
    }
    done()
  })
  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Metrics in Prometheus text format (no user data: counts, latencies, projection positions)',
      },
    },
    async (_request, reply) => {
      const text = await metrics.scrape()
      return reply.type(metrics.contentType).send(text)
    },
  )
}

const isEventStream = (contentType: number | string | string[] | undefined) =>
  typeof contentType === 'string' && contentType.startsWith('text/event-stream')
