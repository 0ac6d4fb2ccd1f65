import { BadRequestError, ServiceUnavailableError } from '@jetnotes/platform'
import { decodeConsistencyToken, type ProjectionName, projectionNames, projections } from '@jetnotes/schemas'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
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
  (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const token = consistencyTokenOf(request)
    // Without a token (nearly every read) nothing is waited for: a callback hook, no promise per read.
    if (token === undefined) return reportStanding(readModels, projection, false, reply, done)
    const position = decodeConsistencyToken(token)
    if (position === undefined)
      return done(new BadRequestError('Consistency-Token is not one a command returned', 'Consistency-Token'))
    const owner = projectionOf(position.stream)
    if (owner === undefined)
      return done(new BadRequestError('Consistency-Token names an unknown stream', 'Consistency-Token'))
    readModels.waitFor(owner, position.seq, timeoutMs).then((caughtUp) => {
      if (!caughtUp)
        return done(
          new ServiceUnavailableError(`The views did not catch up with your write within ${timeoutMs} ms`, 1),
        )
      reportStanding(readModels, projection, true, reply, done)
    }, done)
  }

/** Says where the views a request reads stand (`Projection-Position`, `Projection-Lag`), then goes on. */
const reportStanding = (
  readModels: ReadModels,
  projection: ProjectionName,
  fresh: boolean,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => {
  const { position, lag } = readModels.standing(projection, { fresh })
  reply.header('Projection-Position', String(position))
  reply.header('Projection-Lag', String(lag))
  done()
}

/** The projection that folds a stream. */
const projectionOf = (stream: string): ProjectionName | undefined =>
  projectionNames.find((name) => projections[name].stream === stream)

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
