import { fastifySSE } from '@fastify/sse'
import { createHttpApp, registerHealth } from '@jetnotes/platform'
import { projectionNames } from '@jetnotes/schemas'
import type { FastifyBaseLogger } from 'fastify'
import type { QueryContext } from './context.ts'
import { historyRoutes } from './history/routes.ts'
import { type LiveOptions, liveRoutes } from './live/routes.ts'
import { noteRoutes } from './routes/notes.ts'
import { userRoutes } from './routes/users.ts'

export type QueryAppOptions = {
  readyMaxLag: number
  heartbeatMs: number
  live: LiveOptions
  corsOrigins?: string
}

/** The query-service as a Fastify app (what tests drive); `server.ts` is what listens. */
export const buildQueryApp = async (
  context: QueryContext,
  logger: FastifyBaseLogger,
  options: QueryAppOptions,
) => {
  const app = await createHttpApp({
    title: 'jetnotes query-service',
    description:
      'Reads: notes and users from the KV read models, audit history and past versions from the event log itself.',
    logger,
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
  })
  await app.register(fastifySSE, { heartbeatInterval: options.heartbeatMs })
  registerHealth(app, [
    { name: 'nats', probe: () => !context.nc.isClosed() && context.nc.getServer() !== '' },
    {
      name: 'buckets',
      probe: async () => {
        await context.readModels.checkBuckets()
        return true
      },
    },
    {
      name: 'projection-lag',
      probe: () =>
        projectionNames.every((projection) => {
          const position = context.readModels.position(projection)
          return position === undefined || position.streamSeq - position.seq <= options.readyMaxLag
        }),
    },
  ])
  noteRoutes(app, context)
  historyRoutes(app, context)
  userRoutes(app, context)
  liveRoutes(app, context, context.hub, options.live)
  return app
}
