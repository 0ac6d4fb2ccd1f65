import { problem, sendProblem } from '@jetnotes/platform'
import type { FastifyInstance, FastifyRequest } from 'fastify'

const mutating: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The origin the browser reached the gateway at (behind a trusted proxy, the one the proxy was reached at). */
export const ownOriginOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`

/**
 * Refuses every request that changes something unless its `Origin` is the gateway's own: 403 problem
 * `forbidden-origin`. The session cookie is SameSite=Strict already; this is the second lock, and the one that
 * holds for a browser that ignores SameSite: a browser sends `Origin` on every POST, PUT, PATCH and DELETE, and
 * no page can forge it. A request without one (not from a browser) is refused too: programs call the services
 * with their own tokens, not through the browser's gateway.
 */
export const registerOriginCheck = (app: FastifyInstance) => {
  app.addHook('onRequest', async (request, reply) => {
    if (!mutating.has(request.method)) return
    const origin = request.headers.origin
    if (origin === ownOriginOf(request)) return
    const detail =
      origin === undefined
        ? 'A request that changes something needs an Origin header'
        : `Pages of ${origin} may not change anything here`
    const instance = request.url.split('?')[0]
    return sendProblem(reply, problem('forbidden-origin', 403, detail, { instance }))
  })
}
