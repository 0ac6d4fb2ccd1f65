import { createHttpApp, registerHealth } from '@jetnotes/platform'
import { projectionNames } from '@jetnotes/schemas'
import type { FastifyBaseLogger } from 'fastify'
import type { QueryContext } from './context.ts'
import { historyRoutes } from './history/routes.ts'
import { noteRoutes } from './routes/notes.ts'
import { userRoutes } from './routes/users.ts'

/** The query-service as a Fastify app (what tests drive); `server.ts` is what listens. */
export const buildQueryApp = async (
  context: QueryContext,
  logger: FastifyBaseLogger,
  options: { readyMaxLag: number },
) => {
  const app = await createHttpApp({
    title: 'jetnotes query-service',
    description:
      'Reads: notes and users from the KV read models, audit history and past versions from the event log itself.',
    logger,
  })
  registerHealth(app, [
    { name: 'nats', probe: () => !context.nc.isClosed() && context.nc.getServer() !== '' },
    {
      name: 'buckets',
      probe: async () => {
        const view = context.readModels.view()
        await Promise.all([view.notes.status(), view['note-index'].status(), view.users.status()])
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
  return app
}
