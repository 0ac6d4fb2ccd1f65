import { CommonEnv, loadConfig, Port } from '@jetnotes/platform'
import { z } from 'zod'

/** An http(s) URL without a path, where a service answers. */
const ServiceUrl = z
  .string()
  .trim()
  .refine(
    (value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol),
    'must be an http(s) URL such as http://127.0.0.1:8081',
  )
  .transform((value) => value.replace(/\/+$/, ''))

/** The web gateway's configuration, from the environment (see README and .env). */
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env) => {
  const config = loadConfig(
    {
      HOST: CommonEnv.HOST,
      LOG_LEVEL: CommonEnv.LOG_LEVEL,
      RATE_LIMIT_PER_USER: CommonEnv.RATE_LIMIT_PER_USER,
      RATE_LIMIT_PER_ADDRESS: CommonEnv.RATE_LIMIT_PER_ADDRESS,
      RATE_LIMIT_WINDOW_MS: CommonEnv.RATE_LIMIT_WINDOW_MS,
      /** Where the browser reaches the app and its API. */
      WEB_PORT: Port.default(8080),
      COMMAND_PORT: Port.default(8081),
      QUERY_PORT: Port.default(8082),
      /** Where the services are; unset: on this machine, on COMMAND_PORT and QUERY_PORT. */
      COMMAND_URL: ServiceUrl.optional(),
      QUERY_URL: ServiceUrl.optional(),
      /** Proxies in front of the gateway whose X-Forwarded-For and X-Forwarded-Proto are believed. */
      TRUST_PROXY: CommonEnv.TRUST_PROXY,
    },
    env,
  )
  return {
    ...config,
    commandUrl: config.COMMAND_URL ?? `http://127.0.0.1:${config.COMMAND_PORT}`,
    queryUrl: config.QUERY_URL ?? `http://127.0.0.1:${config.QUERY_PORT}`,
  }
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>
