import { ensureEventLogStreams, runService } from '@jetnotes/platform'
import { projectionNames } from '@jetnotes/schemas'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { loadProjectorConfig } from './config.ts'
import { Generations } from './generations.ts'
import { projectionsWith } from './projections/catalog.ts'
import { startProjector } from './start-projector.ts'

await runService('projector', loadProjectorConfig, async ({ config, logger, nc }) => {
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, config.STREAM_REPLICAS, logger)
  const generations = await Generations.open(js, jsm, config.STREAM_REPLICAS, logger)
  const projector = await startProjector(
    { nc, js, jsm, generations, logger },
    projectionsWith({
      notePageSize: config.NOTE_LIST_PAGE_SIZE,
      noteDirectorySize: config.NOTE_LIST_DIRECTORY_SIZE,
    }),
    { batchSize: config.PROJECTOR_BATCH_SIZE, leaseMs: config.PROJECTOR_LEASE_MS },
  )
  logger.info({ projections: projectionNames, holder: projector.holder }, 'projecting')
  return { close: () => projector.stop() }
})
