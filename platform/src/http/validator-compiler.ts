import type { FastifySchemaCompiler } from 'fastify'
import { validatorCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'

/**
 * The routes' zod validation (fastify-type-provider-zod's), with one difference for request headers: a request
 * whose headers the schema would pass through unchanged keeps Node's own header object. Fastify replaces
 * `request.headers` with whatever a validator returns, and from then on every read of `request.headers` copies
 * all of them (`Object.assign` of the raw headers and the returned ones): a dozen copies per request, by the
 * rate limit, the token check, CORS, the routes. The answers are the same: the schema still decides.
 *
 * A header schema whose declared headers are all optional without defaults (every one here: `Idempotency-Key`,
 * `If-Match`, `Consistency-Token`, `Last-Event-ID`) accepts a request that carries none of them as it is, so it
 * is not run then; a request that carries one is validated, and keeps its own headers when they come back equal.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const validate = validatorCompiler(route)
  if (route.httpPart !== 'headers' || !(route.schema instanceof z.ZodObject)) return validate
  const declared = Object.keys(route.schema.shape)
  const acceptsNone = acceptsEmptyUnchanged(route.schema)
  return (headers: Record<string, unknown>) => {
    if (acceptsNone && declared.every((name) => headers[name] === undefined)) return true
    const result = validate(headers)
    if (typeof result !== 'object' || result === null || !('value' in result)) return result
    const value = result.value as Record<string, unknown>
    return declared.every((name) => value[name] === headers[name]) ? true : result
  }
}

/** Whether a schema accepts `{}` and adds nothing to it (no required header, no default). */
const acceptsEmptyUnchanged = (schema: z.ZodObject) => {
  const parsed = schema.safeParse({})
  return parsed.success && Object.keys(parsed.data).length === 0
}
