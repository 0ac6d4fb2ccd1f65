import { CommonEnv, loadConfig, Port } from '@jetnotes/platform'
import { z } from 'zod'

/** The query-service's configuration, from the environment (see README and .env). */
export const loadQueryConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      ...CommonEnv,
      QUERY_PORT: Port.default(8082),
      /** Longest a read with a Consistency-Token waits for the views, in ms. */
      CONSISTENCY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
      /** /readyz fails while a projection is more than this many events behind its stream. */
      READY_MAX_LAG: z.coerce.number().int().min(0).default(10_000),
      /** Most notes one `GET /notes` looks at; a filtered list answers what it found there and a cursor. */
      LIST_SCAN_LIMIT: z.coerce.number().int().min(100).max(100_000).default(2_000),
      /** Live streams: heartbeat comment interval, and the reconnect delay suggested to clients (ms). */
      LIVE_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
      LIVE_RETRY_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
      /** Events a live client may have waiting before it is disconnected (it then resumes). */
      LIVE_CLIENT_QUEUE: z.coerce.number().int().min(10).max(100_000).default(1_000),
      /** Memory for recent events that reconnecting clients resume from, in MiB. */
      LIVE_HISTORY_MB: z.coerce.number().min(1).max(4_096).default(32),
      /** Memory for the cache of each read-model bucket (kept current by a KV watch), in MiB; 0 turns it off. */
      VIEW_CACHE_MB: z.coerce.number().min(0).max(4_096).default(32),
    },
    env,
  )

export type QueryConfig = ReturnType<typeof loadQueryConfig>
