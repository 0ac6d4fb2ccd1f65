import { fastifySSE } from '@fastify/sse'
import { createHttpApp, type RateLimits, registerHealth } from '@jetnotes/platform'
import { type ProjectionName, projectionNames } from '@jetnotes/schemas'
import type { FastifyBaseLogger } from 'fastify'
import type { QueryContext } from './context.ts'
import { historyRoutes } from './history/routes.ts'
import { type LiveOptions, liveRoutes } from './live/routes.ts'
import { noteRoutes } from './routes/notes.ts'
import { userRoutes } from './routes/users.ts'

export type QueryAppOptions = {
  readyMaxLag: number
  heartbeatMs: number
  live: LiveOptions
  corsOrigins?: string
  rateLimits?: RateLimits
  trustProxy?: readonly string[]
}

/**
 * Where a projection stands, for /readyz: its live generation, the position the projector applied (what fresh
 * reads see) and the caches' position (what other reads see), the stream's last sequence, and the lag.
 */
const standingOf = ({ readModels }: QueryContext, projection: ProjectionName) => {
  const { position, streamSeq, lag } = readModels.standing(projection, { fresh: true })
  return {
    generation: readModels.view().generations[projection],
    position,
    cachedPosition: readModels.standing(projection).position,
    streamSeq,
    lag,
  }
}

/** The query-service as a Fastify app (what tests drive); `server.ts` is what listens. */
export const buildQueryApp = async (
  context: QueryContext,
  logger: FastifyBaseLogger,
  options: QueryAppOptions,
) => {
  const app = await createHttpApp({
    title: 'jetnotes query-service',
    description:
      'Reads: notes and users from the KV read models, audit history and past versions from the event log itself. ' +
      'Every read of a read model answers with `Projection-Position` (the last stream sequence the views it read ' +
      'hold) and `Projection-Lag` (how many events the stream, as this process sees it now, is ahead of them).',
    logger,
    users: context.directory,
    metrics: context.metrics.registry,
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  })
  // No timer per stream: the live routes' heartbeat is one timer for all their connections (live-connections.ts).
  await app.register(fastifySSE, { heartbeatInterval: 0 })
  registerHealth(app, [
    { name: 'nats', probe: () => context.connection.connected },
    {
      name: 'buckets',
      probe: async () => {
        // Not ready while NATS is away, at once (asking would wait for the request's timeout).
        if (!context.connection.connected) return false
        await context.readModels.checkBuckets()
        return true
      },
    },
    {
      name: 'projection-lag',
      probe: async () => {
        // A stream the process has not heard from for a second is asked (readiness only, never per read); while
        // NATS is away the lag is as last seen (the nats check fails anyway).
        if (context.connection.connected) await context.heads.confirm(1_000)
        const standings = projectionNames.map(
          (projection) => [projection, standingOf(context, projection)] as const,
        )
        return {
          ready: standings.every(([, { lag }]) => lag <= options.readyMaxLag),
          details: Object.fromEntries(standings),
        }
      },
    },
    {
      // Reported, never failing: a parked entry leaves some views behind, but everything else is served.
      name: 'parked',
      probe: () => ({ ready: true, details: context.parked.counts() }),
    },
  ])
  noteRoutes(app, context)
  historyRoutes(app, context)
  userRoutes(app, context)
  liveRoutes(app, context, context.hub, { ...options.live, heartbeatMs: options.heartbeatMs })
  return app
}
