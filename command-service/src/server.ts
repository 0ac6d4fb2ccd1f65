import { rateLimitsOf, runService } from '@jetnotes/platform'
import { buildCommandApp } from './app.ts'
import { loadCommandConfig, signInLimitsOf } from './config.ts'
import { openCommandContext } from './context.ts'

await runService('command-service', loadCommandConfig, async ({ config, logger, nc }) => {
  const context = await openCommandContext(
    nc,
    { replicas: config.STREAM_REPLICAS, signInLimits: signInLimitsOf(config) },
    logger,
  )
  const app = await buildCommandApp(context, logger, {
    corsOrigins: config.CORS_ORIGINS,
    rateLimits: rateLimitsOf(config),
    trustProxy: config.TRUST_PROXY,
  })
  await app.listen({ host: config.HOST, port: config.COMMAND_PORT })
  return {
    close: async () => {
      await app.close()
      context.close()
    },
  }
})
