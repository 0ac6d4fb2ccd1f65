/** @jetnotes/query-service: what the system tests and the benchmark start in-process. */
export { buildQueryApp, type QueryAppOptions } from './app.ts'
export { loadQueryConfig, type QueryConfig } from './config.ts'
export { openQueryContext, type QueryContext } from './context.ts'
export type { LiveHubOptions } from './live/live-hub.ts'
export { type QueryMetrics, queryMetrics } from './metrics.ts'
