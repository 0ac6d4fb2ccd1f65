import { createHttpApp, natsRequired, type RateLimits, registerHealth } from '@jetnotes/platform'
import { streamNames, VersionConflictError } from '@jetnotes/schemas'
import type { FastifyBaseLogger } from 'fastify'
import type { CommandContext } from './context.ts'
import { noteRoutes } from './notes/routes.ts'
import { userRoutes } from './users/routes.ts'

/** The command-service as a Fastify app (what tests drive); `server.ts` is what listens. */
export const buildCommandApp = async (
  context: CommandContext,
  logger: FastifyBaseLogger,
  options: { corsOrigins?: string; rateLimits?: RateLimits; trustProxy?: readonly string[] } = {},
) => {
  const app = await createHttpApp({
    title: 'jetnotes command-service',
    description:
      'Commands on notes and users. Every accepted command is appended to the JetStream event log.',
    logger,
    users: context.directory,
    metrics: context.metrics.registry,
    ...options,
  })
  registerHealth(app, [
    { name: 'nats', probe: () => context.connection.connected },
    {
      name: 'streams',
      probe: async () => {
        // Not ready while NATS is away, at once (asking would wait for the request's timeout).
        if (!context.connection.connected) return false
        await Promise.all(streamNames.map((name) => context.jsm.streams.info(name)))
        return true
      },
    },
  ])
  // Every command (POST, PATCH, DELETE) appends to the event log: while NATS is away, 503 with Retry-After at once.
  const whileConnected = natsRequired(context.connection)
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS')
      await whileConnected()
  })
  // Every 412 comes from here: a stale If-Match, or a race lost to another writer (see `executeCommand`).
  app.addHook('onError', (request, _reply, error, done) => {
    if (error instanceof VersionConflictError)
      context.metrics.conflicts.inc({ route: request.routeOptions.url })
    done()
  })
  userRoutes(app, context)
  noteRoutes(app, context)
  return app
}
