import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { RateLimitedError } from './errors.ts'

/** How many requests a caller may make per window, per process. 0 turns a limit off. */
export type RateLimits = {
  /** Requests per window for each user, counted by the account a request's token belongs to. */
  perUser: number
  /** Requests per window for each client address, counting the requests without a token of a known user. */
  perAddress: number
  windowMs: number
}

/** No limits: for tests that drive an app at full speed. */
export const unlimited: RateLimits = { perUser: 0, perAddress: 0, windowMs: 1_000 }

const userKey = 'user:'

/**
 * Counts every request against one bucket, in this process's memory (no round trip): its user's, when its token
 * belongs to an account `userOf` knows without I/O, or else its client address's. So a flood of unknown or
 * malformed tokens is refused by address before it costs any lookup, and one user's burst never slows another.
 * A token issued a moment ago in another process counts by address on its first use; after that, by user.
 * Registered before the routes, so that each gets the limit's hook (it runs first, on request).
 */
export const registerRateLimits = async (
  app: FastifyInstance,
  limits: RateLimits,
  userOf: (request: FastifyRequest) => string | undefined,
) => {
  if (limits.perUser === 0 && limits.perAddress === 0) return
  const maxOf = (key: string) => (key.startsWith(userKey) ? limits.perUser : limits.perAddress)
  await app.register(rateLimit, {
    timeWindow: limits.windowMs,
    keyGenerator: (request) => {
      const user = userOf(request)
      return user === undefined ? `address:${request.ip}` : `${userKey}${user}`
    },
    max: (_request, key) => maxOf(key),
    allowList: (_request, key) => maxOf(key) === 0,
    errorResponseBuilder: (_request, { ttl }) => new RateLimitedError(Math.max(1, Math.ceil(ttl / 1000))),
    // The limit's headers go with a 429 only: on every answer they cost bytes on the hot path for nothing.
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
  })
}
