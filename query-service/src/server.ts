import { rateLimitsOf, runService } from '@jetnotes/platform'
import { buildQueryApp } from './app.ts'
import { loadQueryConfig } from './config.ts'
import { openQueryContext } from './context.ts'

await runService('query-service', loadQueryConfig, async ({ config, logger, nc }) => {
  const context = await openQueryContext(
    nc,
    {
      replicas: config.STREAM_REPLICAS,
      consistencyTimeoutMs: config.CONSISTENCY_TIMEOUT_MS,
      listScanLimit: config.LIST_SCAN_LIMIT,
      viewCacheBytes: config.VIEW_CACHE_MB * 1024 * 1024,
      live: { historyBytes: config.LIVE_HISTORY_MB * 1024 * 1024 },
    },
    logger,
  )
  const app = await buildQueryApp(context, logger, {
    readyMaxLag: config.READY_MAX_LAG,
    corsOrigins: config.CORS_ORIGINS,
    rateLimits: rateLimitsOf(config),
    trustProxy: config.TRUST_PROXY,
    heartbeatMs: config.LIVE_HEARTBEAT_MS,
    live: { retryMs: config.LIVE_RETRY_MS, maxQueuedEvents: config.LIVE_CLIENT_QUEUE },
  })
  await app.listen({ host: config.HOST, port: config.QUERY_PORT })
  return {
    close: async () => {
      await app.close()
      context.close()
    },
  }
})
