import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { z } from 'zod'
import type { RateLimits } from './http/rate-limit.ts'
import type { NatsSettings } from './nats/connection.ts'

/** A configuration value in the environment is missing or invalid. The message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** A TCP port from the environment. */
export const Port = z.coerce.number().int().min(1).max(65_535)

/** Settings every service reads: where NATS is, how to log, where to listen. */
export const CommonEnv = {
  /** Where NATS is. Unset: the local server `npm start` runs, on NATS_PORT. */
  NATS_URL: z.string().min(1).optional(),
  NATS_PORT: Port.default(4222),
  /** Who this process is on NATS: `npm start` gives each service its own user; the CLIs read operator.env. */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Replicas of streams and buckets: 1 on a single server, 3 in a cluster (`npm run cluster` sets it). */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Browser origins allowed to call the HTTP APIs from their pages: none (empty, the default: the web app is
   * served from the APIs' own origin), a comma-separated list of origins, or `*`.
   */
  CORS_ORIGINS: z
    .string()
    .trim()
    .refine(
      (value) => value === '' || value === '*' || value.split(',').every((origin) => isOrigin(origin.trim())),
      'must be empty, * or a comma-separated list of origins such as https://notes.example.com (no path, no trailing /)',
    )
    .default(''),
  /** HTTP requests per RATE_LIMIT_WINDOW_MS for each user (by token), in each service process; 0: no limit. */
  RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).default(3_000),
  /** HTTP requests per window for each client address without a token of a known user; 0: no limit. */
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(1_000),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /**
   * The peers (addresses or CIDR ranges, comma-separated) whose `X-Forwarded-For` is believed for the client's
   * address (rate limits, logs): the gateway or a reverse proxy. `false`: none, the peer is the client.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .transform((value): string[] =>
      value === 'false'
        ? []
        : value
            .split(',')
            .map((peer) => peer.trim())
            .filter((peer) => peer !== ''),
    )
    .default(['127.0.0.1', '::1']),
}

/** Whether a string is exactly an origin (scheme, host, optional port), as a browser sends it in `Origin`. */
const isOrigin = (value: string) => URL.canParse(value) && new URL(value).origin === value

/** The rate limits a service's HTTP app enforces, from its configuration. */
export const rateLimitsOf = (config: {
  RATE_LIMIT_PER_USER: number
  RATE_LIMIT_PER_ADDRESS: number
  RATE_LIMIT_WINDOW_MS: number
}): RateLimits => ({
  perUser: config.RATE_LIMIT_PER_USER,
  perAddress: config.RATE_LIMIT_PER_ADDRESS,
  windowMs: config.RATE_LIMIT_WINDOW_MS,
})

/** The NATS server(s) to connect to, and as whom. Throws a ConfigError for a user without a password. */
export const natsSettingsOf = (config: {
  NATS_URL?: string | undefined
  NATS_PORT: number
  NATS_USER?: string | undefined
  NATS_PASSWORD?: string | undefined
}): NatsSettings => {
  if ((config.NATS_USER === undefined) !== (config.NATS_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration: NATS_USER and NATS_PASSWORD: set both or neither')
  }
  return {
    url: config.NATS_URL ?? `nats://127.0.0.1:${config.NATS_PORT}`,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
  }
}

/**
 * Loads `.env` from the working directory into `process.env`, if the file exists. Variables already set in
 * the environment win over the file.
 */
export const loadDotEnv = (path = '.env') => {
  if (!existsSync(path)) return
  const defaults = parseEnv(readFileSync(path, 'utf8'))
  for (const [key, value] of Object.entries(defaults)) {
    if (process.env[key] === undefined) process.env[key] = value
  }
}

/**
 * Parses the environment once with a zod object schema. Throws a ConfigError naming every bad variable, so
 * start-up stops with a message a person can act on.
 */
export const loadConfig = <Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> => {
  // Empty strings count as unset, as in most .env conventions.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  )
  const result = z.object(shape).safeParse(present)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
}

/**
 * Loads `.env` and then a process's configuration; a ConfigError ends the process with exit code 2 and its
 * message, which names every bad variable. The one way a service, a command or `npm start` reads its settings.
 */
export const loadConfigOrExit = <Config>(load: () => Config, dotEnvFiles = ['.env']): Config => {
  try {
    for (const file of dotEnvFiles) loadDotEnv(file)
    return load()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      return process.exit(2)
    }
    throw error
  }
}
