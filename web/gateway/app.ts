import cookie from '@fastify/cookie'
import { createHttpApp, type RateLimits, registerHealth } from '@jetnotes/platform'
import type { FastifyBaseLogger } from 'fastify'
import { registerOriginCheck } from './origin-check.ts'
import { registerProxyRoutes } from './proxy-routes.ts'
import { sessionRoutes } from './session-routes.ts'
import { appPolicy, registerStaticApp } from './static-app.ts'
import type { Upstreams } from './upstream.ts'

export type GatewayOptions = Upstreams & {
  /** The built app (web/dist). */
  appDir: string
  logger: FastifyBaseLogger
  /** Requests per window per client address (absent: no limits). The services limit each user themselves. */
  rateLimits?: RateLimits
  /** Proxies in front of the gateway whose X-Forwarded-For and X-Forwarded-Proto are believed. */
  trustProxy?: readonly string[]
}

/**
 * The browser's one origin: the built app, the session (an HttpOnly cookie) and `/api/...` proxied to the
 * services with the session's token. On the platform's HTTP base: problem+json errors, security headers (with
 * the app's Content-Security-Policy), rate limits, logs without credentials, health.
 */
export const buildGatewayApp = async (options: GatewayOptions) => {
  const upstreams = { commandUrl: options.commandUrl, queryUrl: options.queryUrl }
  const app = await createHttpApp({
    title: 'jetnotes web gateway',
    description: 'Serves the web app and proxies its API calls',
    logger: options.logger,
    contentSecurityPolicy: appPolicy,
    docs: false,
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  })
  await app.register(cookie)
  registerOriginCheck(app)
  registerHealth(app, [
    { name: 'command-service', probe: () => answers(`${upstreams.commandUrl}/healthz`) },
    { name: 'query-service', probe: () => answers(`${upstreams.queryUrl}/healthz`) },
  ])
  await app.register(sessionRoutes(upstreams))
  await app.register(async (scope) => registerProxyRoutes(scope, upstreams))
  await registerStaticApp(app, options.appDir)
  return app
}

const answers = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
  await response.body?.cancel()
  return response.ok
}
