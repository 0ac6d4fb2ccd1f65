import { createHttpApp, registerHealth, watchConnection } from '@jetnotes/platform'
import type { FastifyBaseLogger } from 'fastify'
import type { ProjectorMetrics } from './metrics.ts'
import type { ProjectorDeps } from './projector-deps.ts'
import type { RunningProjector } from './start-projector.ts'
import { projectionStatus } from './status.ts'

/**
 * The projector's small HTTP side, on the platform's base: `/metrics` (its own counters, and where each
 * projection stands, read from NATS at each scrape), `/healthz`, and `/readyz` (NATS is connected, and for
 * every projection this process either stands by or folds it with its consumer running).
 */
export const buildProjectorApp = async (
  deps: ProjectorDeps,
  projector: RunningProjector,
  metrics: ProjectorMetrics,
  logger: FastifyBaseLogger,
) => {
  const connection = watchConnection(deps.nc)
  let failing = false
  metrics.registry.onScrape(async () => {
    try {
      metrics.stand(await projectionStatus(deps.jsm, deps.generations))
      failing = false
    } catch (error) {
      // Reported once until it works again: Prometheus would otherwise log the same failure every scrape.
      if (!failing)
        logger.warn({ err: error }, 'cannot read where the projections stand; metrics as last read')
      failing = true
    }
  })
  const app = await createHttpApp({
    title: 'jetnotes projector',
    description:
      'The projector folds the event log into the read models; this is its health and its metrics.',
    logger,
    metrics: metrics.registry,
  })
  registerHealth(app, [
    { name: 'nats', probe: () => connection.connected },
    {
      name: 'projections',
      probe: () => {
        const states = projector.states()
        return {
          ready: Object.values(states).every((state) => state === 'standing-by' || state === 'folding'),
          details: states,
        }
      },
    },
  ])
  return app
}
