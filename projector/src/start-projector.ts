import { type ProjectionName, projectionNames, projections, shapeOf } from '@jetnotes/schemas'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import type { Generations } from './generations.ts'
import type { Projection } from './projections/projection.ts'
import { rebuildProjection } from './rebuild.ts'
import { ProjectionRunner, type RunnerOptions } from './runner.ts'

export type ProjectorDeps = {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  generations: Generations
  logger: Logger
}

/**
 * Runs every projection: first brings a live generation of an older shape (written by an older release) to
 * the current one with a blue/green rebuild, while the query-service goes on reading the old one, then folds
 * new events into the live generation. Resolves once every runner has started.
 */
export const startProjector = async (
  deps: ProjectorDeps,
  catalog: Readonly<Record<ProjectionName, Projection>>,
  options: RunnerOptions = {},
) => {
  // Each projection on its own: one being upgraded does not hold up the others.
  const runners = await Promise.all(
    projectionNames.map(async (name) => {
      await upgrade(deps, catalog[name])
      const runner = new ProjectionRunner(catalog[name], deps.generations, deps.logger, options)
      await runner.start()
      return runner
    }),
  )
  return { stop: () => Promise.all(runners.map((runner) => runner.stop())).then(() => undefined) }
}

const upgrade = async (deps: ProjectorDeps, projection: Projection) => {
  const pointer = await deps.generations.pointer(projection.name)
  const shape = projections[projection.name].shape
  if (pointer === undefined || shapeOf(pointer) >= shape) return
  const { logger } = deps
  logger.warn(
    { projection: projection.name, generation: pointer.generation, from: shapeOf(pointer), to: shape },
    'the live generation has an older shape: rebuilding it; reads go on from the old one until the switch',
  )
  let reported = 0
  // Folding goes on as soon as the pointer switches; the old generation is removed after the grace period.
  await new Promise<void>((switched, failed) => {
    rebuildProjection(deps, projection, {
      onProgress: (progress) => {
        if (progress.phase === 'cleanup') switched()
        if (performance.now() - reported < 2_000 && progress.phase !== 'switch') return
        reported = performance.now()
        logger.info({ projection: projection.name, ...progress }, 'upgrade rebuild')
      },
    }).then(
      (result) => logger.info({ projection: projection.name, ...result }, 'upgraded to the current shape'),
      (error: unknown) => {
        logger.error({ err: error, projection: projection.name }, 'the upgrade rebuild failed')
        failed(error)
      },
    )
  })
}
