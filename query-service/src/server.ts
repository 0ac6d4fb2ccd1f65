import { connectNats, createLogger, natsUrlOf, rateLimitsOf, runService } from '@jetnotes/platform'
import { buildQueryApp } from './app.ts'
import { loadQueryConfig } from './config.ts'
import { openQueryContext } from './context.ts'

await runService(async () => {
  const config = loadQueryConfig()
  const logger = createLogger('query-service', config.LOG_LEVEL)
  const nc = await connectNats(natsUrlOf(config), 'query-service', logger)
  const context = await openQueryContext(
    nc,
    {
      replicas: config.STREAM_REPLICAS,
      consistencyTimeoutMs: config.CONSISTENCY_TIMEOUT_MS,
      listScanLimit: config.LIST_SCAN_LIMIT,
      viewCacheBytes: config.VIEW_CACHE_MB * 1024 * 1024,
      live: {
        historyBytes: config.LIVE_HISTORY_MB * 1024 * 1024,
        prefillMessages: 1_000,
        replayConcurrency: 4,
      },
    },
    logger,
  )
  const app = await buildQueryApp(context, logger, {
    readyMaxLag: config.READY_MAX_LAG,
    corsOrigins: config.CORS_ORIGINS,
    rateLimits: rateLimitsOf(config),
    heartbeatMs: config.LIVE_HEARTBEAT_MS,
    live: { retryMs: config.LIVE_RETRY_MS, maxQueuedEvents: config.LIVE_CLIENT_QUEUE },
  })
  await app.listen({ host: config.HOST, port: config.QUERY_PORT })
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
