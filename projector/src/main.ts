import { ensureEventLogStreams, runService } from '@jetnotes/platform'
import { projectionNames } from '@jetnotes/schemas'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { buildProjectorApp } from './app.ts'
import { loadProjectorConfig } from './config.ts'
import { Generations } from './generations.ts'
import { projectorMetrics } from './metrics.ts'
import { projectionsWith } from './projections/catalog.ts'
import { startProjector } from './start-projector.ts'

await runService('projector', loadProjectorConfig, async ({ config, logger, nc }) => {
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, config.STREAM_REPLICAS, logger)
  const generations = await Generations.open(js, jsm, config.STREAM_REPLICAS, logger)
  const deps = { nc, js, jsm, generations, logger }
  const metrics = projectorMetrics()
  const projector = await startProjector(
    deps,
    projectionsWith({
      notePageSize: config.NOTE_LIST_PAGE_SIZE,
      noteDirectorySize: config.NOTE_LIST_DIRECTORY_SIZE,
    }),
    { batchSize: config.PROJECTOR_BATCH_SIZE, leaseMs: config.PROJECTOR_LEASE_MS, metrics },
  )
  logger.info({ projections: projectionNames, holder: projector.holder }, 'projecting')
  const app =
    config.PROJECTOR_PORT === 0 ? undefined : await buildProjectorApp(deps, projector, metrics, logger)
  await app?.listen({ host: config.HOST, port: config.PROJECTOR_PORT })
  return {
    close: async () => {
      await app?.close()
      await projector.stop()
    },
  }
})
