import { randomUUID } from 'node:crypto'
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { answerClientError } from './client-errors.ts'
import { InvalidPreflightError, ServiceUnavailableError } from './errors.ts'
import { describeProblems, registerProblemDetails, sendProblem, toProblem } from './problem-details.ts'

export type HttpAppOptions = {
  title: string
  description: string
  logger: FastifyBaseLogger
  /** Largest accepted request body in bytes (413 above it). */
  bodyLimit?: number
  /** Browser origins allowed to call the API: `*`, or a comma-separated list. */
  corsOrigins?: string
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
]
const responseHeaders = [
  'etag',
  'location',
  'consistency-token',
  'projection-lag',
  'projection-position',
  'idempotent-replayed',
  'retry-after',
  'x-request-id',
]

/** A request id a caller may pass in `X-Request-Id` is kept (it becomes the events' correlation id). */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,100}$/

/**
 * The base every jetnotes HTTP service is built on: zod validation and serialization, problem+json errors,
 * request ids, CORS for browsers, and the OpenAPI description (generated from the zod schemas) at `/docs`.
 */
export const createHttpApp = async ({
  title,
  description,
  logger,
  bodyLimit = 256 * 1024,
  corsOrigins = '*',
}: HttpAppOptions) => {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit,
    // Every error is problem+json, also those Fastify and Node answer before any route or handler runs.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error, request)),
    clientErrorHandler: (error, socket) => answerClientError(error, socket, logger),
    // Fastify's own 503 while closing is plain JSON; the onRequest hook below answers it as a problem.
    return503OnClosing: false,
    genReqId: (request) => {
      const offered = request.headers['x-request-id']
      return typeof offered === 'string' && acceptableRequestId.test(offered) ? offered : randomUUID()
    },
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  registerProblemDetails(app)
  // Requests still arriving on open keep-alive connections while the server closes (the listening socket is
  // already gone): the client should go elsewhere or come back, not get half an answer from a stopping service.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (request) => {
    if (closing) throw new ServiceUnavailableError('The service is shutting down')
    // @fastify/cors answers a preflight without these headers (or with them empty) with a text/plain 400.
    if (
      request.method === 'OPTIONS' &&
      (!request.headers.origin || !request.headers['access-control-request-method'])
    ) {
      throw new InvalidPreflightError()
    }
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id)
  })
  // Bearer tokens, not cookies, carry identity, so allowing other origins exposes nothing ambient.
  await app.register(cors, {
    origin: corsOrigins === '*' ? '*' : corsOrigins.split(',').map((origin) => origin.trim()),
    allowedHeaders: requestHeaders,
    exposedHeaders: responseHeaders,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    maxAge: 600,
  })
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
  await app.register(swaggerUi, { routePrefix: '/docs' })
  return app
}

export type HttpApp = Awaited<ReturnType<typeof createHttpApp>>
