import { createHttpApp, type RateLimits, registerHealth } from '@jetnotes/platform'
import { streamNames } from '@jetnotes/schemas'
import type { FastifyBaseLogger } from 'fastify'
import type { CommandContext } from './context.ts'
import { noteRoutes } from './notes/routes.ts'
import { userRoutes } from './users/routes.ts'

/** The command-service as a Fastify app (what tests drive); `server.ts` is what listens. */
export const buildCommandApp = async (
  context: CommandContext,
  logger: FastifyBaseLogger,
  options: { corsOrigins?: string; rateLimits?: RateLimits } = {},
) => {
  const app = await createHttpApp({
    title: 'jetnotes command-service',
    description:
      'Commands on notes and users. Every accepted command is appended to the JetStream event log.',
    logger,
    users: context.directory,
    ...options,
  })
  registerHealth(app, [
    { name: 'nats', probe: () => !context.nc.isClosed() && context.nc.getServer() !== '' },
    {
      name: 'streams',
      probe: async () => {
        await Promise.all(streamNames.map((name) => context.jsm.streams.info(name)))
        return true
      },
    },
  ])
  userRoutes(app, context)
  noteRoutes(app, context)
  return app
}
