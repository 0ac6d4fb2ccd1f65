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
    },
    env,
  )

export type QueryConfig = ReturnType<typeof loadQueryConfig>
