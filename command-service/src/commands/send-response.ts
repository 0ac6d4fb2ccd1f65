import type { FastifyReply } from 'fastify'
import type { StoredResponse } from '../idempotency/idempotency-store.ts'

/** Sends a command's (possibly replayed) response. */
export const sendResponse = (reply: FastifyReply, response: StoredResponse) => {
  reply.status(response.status).headers(response.headers)
  return response.body === undefined ? reply.send() : reply.send(response.body)
}
