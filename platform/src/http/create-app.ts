import { randomUUID } from 'node:crypto'
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { ForbiddenError } from '@jetnotes/schemas'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import helmet from 'helmet'
import type { UserDirectory } from '../auth/user-directory.ts'
import { registerMetrics } from '../observability/http-metrics.ts'
import { nameRequestSpans, tracedServer } from '../observability/http-spans.ts'
import type { ServiceMetrics } from '../observability/metrics.ts'
import { knownUserOf } from './authentication.ts'
import { answerClientError } from './client-errors.ts'
import { InvalidPreflightError, ServiceUnavailableError } from './errors.ts'
import { describeProblems, registerProblemDetails, sendProblem, toProblem } from './problem-details.ts'
import { type RateLimits, registerRateLimits, unlimited } from './rate-limit.ts'
import { OneLinePerRequest } from './request-log.ts'
import { zodValidatorCompiler } from './validator-compiler.ts'

export type HttpAppOptions = {
  title: string
  description: string
  logger: FastifyBaseLogger
  /** Largest accepted request body in bytes (413 above it). */
  bodyLimit?: number
  /** Browser origins allowed to call the API: none (empty, the default), `*`, or a comma-separated list. */
  corsOrigins?: string
  /** Requests per window per user and per client address (absent: no limits, as tests driving the app want). */
  rateLimits?: RateLimits
  /** Peers whose `X-Forwarded-For` gives the client's address (`request.ip`); none by default. */
  trustProxy?: readonly string[]
  /** The accounts whose tokens count per user in the rate limits (without it, every request counts by address). */
  users?: UserDirectory
  /**
   * The Content-Security-Policy directives of every answer (default: an API's, which lets nothing load, run or
   * be framed). A server of HTML pages, such as the web gateway, passes its own.
   */
  contentSecurityPolicy?: Record<string, string[]>
  /** Whether to serve the OpenAPI description at `/docs` (default true; the web gateway has none of its own). */
  docs?: boolean
  /** The service's metrics: every request is measured in them, and they are served at `GET /metrics`. */
  metrics?: ServiceMetrics
}

/** Headers a browser may send, and may read from responses, across origins. */
const requestHeaders = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'consistency-token',
  'last-event-id',
  'x-request-id',
  // W3C trace context: a browser's own spans may be the parent of the request's.
  'traceparent',
  'tracestate',
]
const responseHeaders = [
  'etag',
  'location',
  'consistency-token',
  'projection-lag',
  'projection-position',
  'idempotent-replayed',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-request-id',
]

/** An API answers JSON: nothing in it may load, run or be framed. */
const apiPolicy = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] }

/** The Content-Security-Policy of the /docs page. */
const docsPolicy =
  "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; img-src 'self' data:; " +
  "script-src 'self'; style-src 'self' 'unsafe-inline'"

/** A request id a caller may pass in `X-Request-Id` is kept (it becomes the events' correlation id). */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,100}$/

/**
 * The base every jetnotes HTTP service is built on: zod validation and serialization, problem+json errors,
 * request ids, CORS for browsers, the OpenAPI description (generated from the zod schemas) at `/docs`, and the
 * service's metrics at `/metrics`.
 */
export const createHttpApp = async ({
  title,
  description,
  logger,
  bodyLimit = 256 * 1024,
  corsOrigins = '',
  rateLimits = unlimited,
  trustProxy = [],
  users,
  contentSecurityPolicy = apiPolicy,
  docs = true,
  metrics,
}: HttpAppOptions) => {
  const app = Fastify({
    loggerInstance: logger,
    logController: new OneLinePerRequest(),
    bodyLimit,
    trustProxy: trustProxy.length === 0 ? false : [...trustProxy],
    // Every error is problem+json, also those Fastify and Node answer before any route or handler runs.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error, request)),
    clientErrorHandler: (error, socket) => answerClientError(error, socket, logger),
    // Fastify's own 503 while closing is plain JSON; the onRequest hook below answers it as a problem.
    return503OnClosing: false,
    // Each request in its trace span (while tracing is on), named after its route by the hook below.
    serverFactory: tracedServer,
    genReqId: (request) => {
      const offered = request.headers['x-request-id']
      return typeof offered === 'string' && acceptableRequestId.test(offered) ? offered : randomUUID()
    },
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(zodValidatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  nameRequestSpans(app)
  registerProblemDetails(app)
  // Requests still arriving on open keep-alive connections while the server closes (the listening socket is
  // already gone): the client should go elsewhere or come back, not get half an answer from a stopping service.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  // The hooks every request runs are callback hooks, not async ones: no promise per request on the hot path.
  app.addHook('onRequest', (request, _reply, done) => {
    if (closing) return done(new ServiceUnavailableError('The service is shutting down'))
    // @fastify/cors answers a preflight without these headers (or with them empty) with a text/plain 400.
    if (
      request.method === 'OPTIONS' &&
      (!request.headers.origin || !request.headers['access-control-request-method'])
    ) {
      return done(new InvalidPreflightError())
    }
    done()
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id)
    done(null, payload)
  })
  await registerRateLimits(app, rateLimits, users === undefined ? () => undefined : knownUserOf(users))
  // The /docs page sets its own policy below.
  // Headers that only mean something for HTML pages are left out: on a small JSON answer they were most of its
  // bytes (reads fell from 16,500/s to 6,600/s in the bench with all of them and the rate-limit headers).
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  })
  // helmet's own middleware, made once: @fastify/helmet made it anew for every request (parsing the policy each
  // time: 4% of a read's CPU). A callback hook, not an async one: no promise per request.
  // (helmet 8 throws rather than passing an error on.)
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()))
  const origins = corsOriginsOf(corsOrigins)
  if (origins !== '*') {
    // A preflight from an origin not on the list is refused outright, rather than answered without permission.
    app.addHook('onRequest', (request, _reply, done) => {
      const origin = request.headers.origin
      const preflight =
        request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined
      if (preflight && origin !== undefined && !origins.includes(origin)) {
        return done(new ForbiddenError(`The origin ${origin} may not call this API`))
      }
      done()
    })
  }
  // Bearer tokens, not cookies, carry identity, so allowing other origins exposes nothing ambient.
  // With a list, a request from no origin or another one gets no CORS headers at all (only `Vary: Origin`): the
  // 200 bytes of Access-Control-Expose-Headers went with every answer to every client, browser or not.
  await app.register(cors, {
    origin:
      origins === '*'
        ? '*'
        : (origin: string | undefined, allow: (error: null, allowed: string | false) => void) =>
            allow(null, origin !== undefined && origins.includes(origin) ? origin : false),
    allowedHeaders: requestHeaders.join(', '),
    exposedHeaders: responseHeaders.join(', '),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  })
  if (docs) await registerDocs(app, title, description)
  if (metrics !== undefined) registerMetrics(app, metrics)
  return app
}

export type HttpApp = Awaited<ReturnType<typeof createHttpApp>>

/** The OpenAPI description, generated from the routes' zod schemas, and the page that shows it at `/docs`. */
const registerDocs = async (app: FastifyInstance, title: string, description: string) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title, description, version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      'openapiObject' in document ? describeProblems(document.openapiObject) : document.swaggerObject,
  })
  // The documentation page runs swagger-ui's own scripts and styles from here: its policy allows those alone
  // (not swagger-ui's default, whose upgrade-insecure-requests would break the page served over plain http).
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: docsPolicy })
}

/** `*`, or the listed origins (none for an empty setting). */
const corsOriginsOf = (setting: string): '*' | string[] =>
  setting === '*'
    ? '*'
    : setting
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== '')
