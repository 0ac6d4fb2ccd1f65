import { CommonEnv, loadConfig, Port } from '@jetnotes/platform'
import { z } from 'zod'
import type { SignInLimitSettings } from './users/sign-in-limits.ts'

/** The command-service's configuration, from the environment (see README and .env). */
export const loadCommandConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      ...CommonEnv,
      COMMAND_PORT: Port.default(8081),
      /** Sign-in attempts per SIGN_IN_WINDOW_MS for each e-mail address, in each process; 0: no limit. */
      SIGN_IN_LIMIT_PER_EMAIL: z.coerce.number().int().min(0).default(10),
      /** Sign-in attempts per window from each client address, in each process; 0: no limit. */
      SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(100),
      SIGN_IN_WINDOW_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
    },
    env,
  )

export type CommandConfig = ReturnType<typeof loadCommandConfig>

export const signInLimitsOf = (config: CommandConfig): SignInLimitSettings => ({
  perEmail: config.SIGN_IN_LIMIT_PER_EMAIL,
  perAddress: config.SIGN_IN_LIMIT_PER_ADDRESS,
  windowMs: config.SIGN_IN_WINDOW_MS,
})
