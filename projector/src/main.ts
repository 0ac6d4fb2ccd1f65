import { connectNats, createLogger, ensureEventLogStreams, natsUrlOf, runService } from '@jetnotes/platform'
import { projectionNames } from '@jetnotes/schemas'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { loadProjectorConfig } from './config.ts'
import { Generations } from './generations.ts'
import { projectionsWith } from './projections/catalog.ts'
import { ProjectionRunner } from './runner.ts'

await runService(async () => {
  const config = loadProjectorConfig()
  const logger = createLogger('projector', config.LOG_LEVEL)
  const nc = await connectNats(natsUrlOf(config), 'projector', logger)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, config.STREAM_REPLICAS, logger)
  const generations = await Generations.open(jetstream(nc), jsm, config.STREAM_REPLICAS, logger)
  const catalog = projectionsWith({ notePageSize: config.NOTE_LIST_PAGE_SIZE })
  const runners = projectionNames.map(
    (name) =>
      new ProjectionRunner(catalog[name], generations, logger, {
        batchSize: config.PROJECTOR_BATCH_SIZE,
      }),
  )
  await Promise.all(runners.map((runner) => runner.start()))
  logger.info({ projections: projectionNames }, 'projecting')
  return {
    logger,
    service: {
      close: async () => {
        await Promise.all(runners.map((runner) => runner.stop()))
        await nc.drain()
      },
    },
  }
})
