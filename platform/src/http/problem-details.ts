import { DomainError, UnprocessableError, VersionConflictError } from '@jetnotes/schemas'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isNatsUnreachable } from '../nats/errors.ts'
import {
  BadRequestError,
  IdempotencyKeyInUseError,
  natsUnreachable,
  RateLimitedError,
  ServiceUnavailableError,
} from './errors.ts'

/** An RFC 9457 problem document, the body of every error response. */
export type Problem = {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  /** The fields that failed validation, when there are any. */
  errors?: { in: string; field: string; message: string }[]
}

/** The problem document as the OpenAPI description shows it. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ in: z.string(), field: z.string(), message: z.string() })).optional(),
    currentVersion: z
      .number()
      .int()
      .optional()
      .describe("A 412 version-conflict's current version of the aggregate: what If-Match must name now"),
  })
  .describe('An RFC 9457 problem document (application/problem+json)')

/** Response schemas for the given error statuses, for a route's OpenAPI description. */
export const problemResponses = <const Status extends number>(...statuses: Status[]) =>
  Object.fromEntries(statuses.map((status) => [status, ProblemSchema])) as Record<
    Status,
    typeof ProblemSchema
  >

/** Stable titles by code. The code is also the last part of the `type` URI. */
const titles: Record<string, string> = {
  'bad-request': 'Bad request',
  'malformed-request': 'Malformed HTTP request',
  'malformed-url': 'Malformed URL',
  'invalid-preflight': 'Invalid CORS preflight',
  validation: 'Invalid request',
  'malformed-json': 'Malformed JSON',
  unauthorized: 'Unauthorized',
  'invalid-credentials': 'Invalid credentials',
  'user-not-found': 'User not found',
  forbidden: 'Forbidden',
  'forbidden-origin': 'Forbidden origin',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict',
  'idempotency-key-in-use': 'Idempotency key in use',
  'version-conflict': 'Version conflict',
  'payload-too-large': 'Payload too large',
  'uri-too-long': 'URI too long',
  'headers-too-large': 'Request headers too large',
  'request-timeout': 'Request timeout',
  'unsupported-media-type': 'Unsupported media type',
  'idempotency-key-reused': 'Idempotency key reused',
  unprocessable: 'Unprocessable request',
  'precondition-required': 'Precondition required',
  'rate-limited': 'Too many requests',
  unavailable: 'Service unavailable',
  'bad-gateway': 'Bad gateway',
  'gateway-timeout': 'Gateway timeout',
  'not-ready': 'Not ready',
  internal: 'Internal server error',
}

export const problemType = (code: string) => `urn:jetnotes:problem:${code}`

/** A problem document for a code; `extra` adds members (RFC 9457 allows members of a problem type's own). */
export const problem = (
  code: string,
  status: number,
  detail?: string,
  extra?: Partial<Problem> & Record<string, unknown>,
): Problem => ({
  type: problemType(code),
  title: titles[code] ?? code,
  status,
  ...(detail === undefined ? {} : { detail }),
  ...extra,
})

/** Fastify's own client errors, by their error code. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_BAD_URL: 'malformed-url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
}

/** Details that say it better than Fastify's message (which would echo an 8,000-character path). */
const fastifyDetails: Record<string, string> = {
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than this API accepts',
}

export const sendProblem = (reply: FastifyReply, body: Problem) =>
  reply.status(body.status).type('application/problem+json').send(body)

/** Turns any error into a problem document. Domain and client errors say what is wrong; 5xx say nothing inside. */
export const toProblem = (error: unknown, request: FastifyRequest): Problem => {
  const instance = request.url.split('?')[0]
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body'
    return problem('validation', 400, 'The request does not match the API description', {
      instance,
      errors: error.validation.map((issue) => ({
        in: where,
        field: issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || where,
        message: issue.message ?? 'invalid',
      })),
    })
  }
  if (error instanceof DomainError && error.status < 500) {
    const field =
      error instanceof UnprocessableError || error instanceof BadRequestError ? error.field : undefined
    return problem(error.code, error.status, error.message, {
      instance,
      ...(error instanceof VersionConflictError ? { currentVersion: error.actual } : {}),
      ...(field === undefined ? {} : { errors: [{ in: 'body', field, message: error.message }] }),
    })
  }
  if (error instanceof ServiceUnavailableError)
    return problem('unavailable', 503, error.message, { instance })
  const fastifyError = error as Partial<FastifyError>
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    const code =
      fastifyCodes[fastifyError.code ?? ''] ??
      (error instanceof SyntaxError ? 'malformed-json' : 'bad-request')
    const detail = fastifyDetails[fastifyError.code ?? ''] ?? fastifyError.message
    // A path too long to route is not worth sending back.
    return problem(code, status, detail, code === 'uri-too-long' ? {} : { instance })
  }
  return problem('internal', 500, 'The server failed to process the request', { instance })
}

/** Registers the error and not-found handlers that answer in `application/problem+json`. */
export const registerProblemDetails = (app: FastifyInstance) => {
  app.setErrorHandler((thrown, request, reply) => {
    // Any NATS call a request made that found no server: 503 with Retry-After, whichever call it was.
    const error = isNatsUnreachable(thrown) ? natsUnreachable(thrown) : thrown
    const body = toProblem(error, request)
    if (body.status >= 500) request.log.error({ err: error }, 'request failed')
    if (body.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="jetnotes"')
    if (
      error instanceof ServiceUnavailableError ||
      error instanceof IdempotencyKeyInUseError ||
      error instanceof RateLimitedError
    ) {
      reply.header('Retry-After', String(error.retryAfterSeconds))
    }
    return sendProblem(reply, body)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem('not-found', 404, `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  )
}

type Responses = Record<string, { description?: string; content?: Record<string, unknown> }>

/**
 * Makes the OpenAPI description say what the wire does: error responses are `application/problem+json`, and any
 * operation may also answer with a problem the HTTP layer gives before its route runs (414, 431, 408, a 400 for
 * a malformed request or URL, 503 while the service shuts down or NATS is away).
 */
export const describeProblems = <Document extends { paths?: object }>(document: Document): Document => {
  const { $schema: _, ...schema } = z.toJSONSchema(ProblemSchema)
  for (const operations of Object.values(document.paths ?? {}) as Record<string, unknown>[]) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue
      const responses = operation.responses as Responses
      for (const [status, response] of Object.entries(responses)) {
        const json = response.content?.['application/json']
        if (Number(status) >= 400 && json !== undefined)
          response.content = { 'application/problem+json': json }
      }
      responses.default ??= {
        description: 'Any other error, as a problem document (application/problem+json)',
        content: { 'application/problem+json': { schema } },
      }
    }
  }
  return document
}
