import { BadRequestError, ServiceUnavailableError } from '@jetnotes/platform'
import { decodeConsistencyToken, type ProjectionName, projectionNames, projections } from '@jetnotes/schemas'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ReadModels, ReadView } from './read-models.ts'

/**
 * Read-your-writes for the routes of one projection. With a `Consistency-Token` (the header a command returned),
 * the request waits until the views include that write, at most `timeoutMs`, then fails with 503 and
 * Retry-After. Without one, the read is eventually consistent. Either way the response says how far the views
 * are behind the log (`Projection-Lag`, in events, as of the projector's last report) and where they are.
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
    const position = readModels.position(projection)
    reply.header('Projection-Position', String(position?.seq ?? 0))
    reply.header('Projection-Lag', String(Math.max(0, (position?.streamSeq ?? 0) - (position?.seq ?? 0))))
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
