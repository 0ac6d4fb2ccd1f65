import { CommonEnv, loadConfig } from '@jetnotes/platform'
import { z } from 'zod'

/** The projector's configuration, from the environment (see README and .env). */
export const loadProjectorConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    { ...CommonEnv, PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(4096).default(256) },
    env,
  )
