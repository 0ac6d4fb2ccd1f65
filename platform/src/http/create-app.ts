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
import { registerProblemDetails } from './problem-details.ts'

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
    genReqId: (request) => {
      const offered = request.headers['x-request-id']
      return typeof offered === 'string' && acceptableRequestId.test(offered) ? offered : randomUUID()
    },
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  registerProblemDetails(app)
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
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  return app
}

export type HttpApp = Awaited<ReturnType<typeof createHttpApp>>
