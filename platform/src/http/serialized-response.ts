import type { FastifyReply } from 'fastify'
import { serializerCompiler } from 'fastify-type-provider-zod'
import type { z } from 'zod'

/**
 * The function a route's response schema serialises with (validate, then JSON), for a route that serialises an
 * answer once and sends it many times (`sendSerialized`): what it sends is what the schema would have sent.
 */
export const responseSerializer = <Schema extends z.ZodType>(
  schema: Schema,
  route: { method: string; url: string },
): ((value: z.input<Schema>) => string) =>
  serializerCompiler({ schema, method: route.method, url: route.url, httpStatus: '200' }) as (
    value: z.input<Schema>,
  ) => string

/**
 * Sends JSON a `responseSerializer` made already: Fastify sends a string with a JSON content type as it is, so
 * the route's serializer does not validate and serialise it again.
 */
export const sendSerialized = (reply: FastifyReply, json: string) =>
  reply.type('application/json; charset=utf-8').send(json)
