import { connectNats, createLogger, natsUrlOf, rateLimitsOf, runService } from '@jetnotes/platform'
import { buildCommandApp } from './app.ts'
import { loadCommandConfig } from './config.ts'
import { openCommandContext } from './context.ts'

await runService(async () => {
  const config = loadCommandConfig()
  const logger = createLogger('command-service', config.LOG_LEVEL)
  const nc = await connectNats(natsUrlOf(config), 'command-service', logger)
  const context = await openCommandContext(nc, { replicas: config.STREAM_REPLICAS }, logger)
  const app = await buildCommandApp(context, logger, {
    corsOrigins: config.CORS_ORIGINS,
    rateLimits: rateLimitsOf(config),
  })
  await app.listen({ host: config.HOST, port: config.COMMAND_PORT })
  return {
    logger,
    service: {
      close: async () => {
        await app.close()
        context.close()
        await nc.drain()
      },
    },
  }
})
