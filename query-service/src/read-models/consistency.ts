import { BadRequestError, ServiceUnavailableError } from '@jetnotes/platform'
import { decodeConsistencyToken, type ProjectionName, projectionNames, projections } from '@jetnotes/schemas'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ReadModels, ReadView } from './read-models.ts'

/**
 * Read-your-writes for the routes of one projection. With a `Consistency-Token` (the header a command returned),
 * the request waits until the views include that write, at most `timeoutMs`, then fails with 503 and
 * Retry-After. Without one, the read is eventually consistent. Either way the response says where the views it
 * reads stand (`Projection-Position`) and how many events of the stream they do not hold yet (`Projection-Lag`):
 * measured against the stream's end as this process sees it now, not as the projector last reported it, so a
 * stalled projector shows as lag. Cached reads report the cache's own position, fresh ones the buckets'.
 */
export const consistentReads =
  (readModels: ReadModels, projection: ProjectionName, timeoutMs: number) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const token = consistencyTokenOf(request)
    if (token !== undefined) {
      const position = decodeConsistencyToken(token)
      if (position === undefined)
        throw new BadRequestError('Consistency-Token is not one a command returned', 'Consistency-Token')
      const owner = projectionOf(position.stream)
      if (!(await readModels.waitFor(owner, position.seq, timeoutMs))) {
        throw new ServiceUnavailableError(
          `The views did not catch up with your write within ${timeoutMs} ms`,
          1,
        )
      }
    }
    const { position, lag } = readModels.standing(projection, { fresh: token !== undefined })
    reply.header('Projection-Position', String(position))
    reply.header('Projection-Lag', String(lag))
  }

/** The projection that folds a stream. */
const projectionOf = (stream: string): ProjectionName => {
  const found = projectionNames.find((name) => projections[name].stream === stream)
  if (found === undefined)
    throw new BadRequestError('Consistency-Token names an unknown stream', 'Consistency-Token')
  return found
}

/**
 * The read models a request reads: after waiting for a Consistency-Token, the buckets themselves (they hold the
 * write now; the watched caches get it a moment later); otherwise the caches, which cost no round trip.
 */
export const viewFor = (readModels: ReadModels, request: FastifyRequest): ReadView =>
  readModels.view({ fresh: consistencyTokenOf(request) !== undefined })

const consistencyTokenOf = (request: FastifyRequest): string | undefined => {
  const token = request.headers['consistency-token']
  return typeof token === 'string' ? token : undefined
}
