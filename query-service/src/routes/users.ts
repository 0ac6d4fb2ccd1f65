import { authenticate, callerOf, type HttpApp, problemResponses } from '@jetnotes/platform'
import {
  AccountView,
  Id,
  NotFoundError,
  PublicUserView,
  toAccountView,
  type UserRecord,
} from '@jetnotes/schemas'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { QueryContext } from '../context.ts'
import { consistentReads, viewFor } from '../read-models/consistency.ts'
import { ReadHeaders } from './notes.ts'

const security = [{ bearer: [] }]
const tags = ['users']

/** Reading users: who an id is, and whether it is a user one can share with. */
export const userRoutes = (app: HttpApp, context: QueryContext) => {
  const { readModels } = context
  const preHandler = [
    authenticate(context.directory),
    consistentReads(readModels, 'users', context.consistencyTimeoutMs),
  ]
  const findUser = async (request: FastifyRequest, id: string) => {
    const entry = await viewFor(readModels, request).users.get(id)
    return entry?.operation === 'PUT' ? entry.json<UserRecord>() : undefined
  }

  app.get(
    '/users/me',
    {
      preHandler: authenticate(context.directory),
      schema: {
        tags,
        security,
        summary: "The signed-in user's own account (from the user directory: current as of the token check)",
        response: { 200: AccountView, ...problemResponses(401, 503) },
      },
    },
    async (request) => toAccountView(callerOf(request)),
  )

  app.get(
    '/users/:id',
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: "A user's public profile",
        headers: ReadHeaders,
        params: z.object({ id: Id }),
        response: { 200: PublicUserView, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const user = await findUser(request, request.params.id)
      if (user === undefined) throw new NotFoundError('User not found')
      return { id: user.id, name: user.name, active: user.active }
    },
  )

  app.get(
    '/users/:id/validate',
    {
      preHandler,
      schema: {
        tags,
        security,
        summary: 'Whether the id names an active user (one a note can be shared with)',
        headers: ReadHeaders,
        params: z.object({ id: Id }),
        response: { 200: z.object({ valid: z.boolean() }), ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => ({ valid: (await findUser(request, request.params.id))?.active === true }),
  )
}
