import { BadRequestError } from '@jetnotes/platform'
import type { FastifyRequest } from 'fastify'

/**
 * The version a request's `If-Match` names: `"3"` (or weak `W/"3"`) -> 3; absent or `*` -> no expectation.
 * ETags are note versions, so a list of several would make no sense here and is refused.
 */
export const expectedVersionOf = (request: FastifyRequest): number | undefined => {
  const header = request.headers['if-match']
  if (header === undefined || header.trim() === '*') return undefined
  const match = /^\s*(?:W\/)?"([1-9]\d{0,15})"\s*$/.exec(header)
  if (match?.[1] === undefined) throw new BadRequestError('If-Match must be one ETag such as "3"', 'If-Match')
  return Number(match[1])
}
