import { randomUUID } from 'node:crypto'
import { authenticate, callerOf, type HttpApp, issueToken, problemResponses } from '@jetnotes/platform'
import {
  AccountView,
  RegisteredAccountView,
  RegisterUserBody,
  RenameUserBody,
  TokenView,
  toAccountView,
  type UserCommand,
  type UserState,
  userAggregate,
} from '@jetnotes/schemas'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { CommandHeaders } from '../commands/command-headers.ts'
import { type CommandResponse, executeCommand } from '../commands/execute-command.ts'
import { sendResponse } from '../commands/send-response.ts'
import type { CommandContext } from '../context.ts'

const tags = ['users']
const security = [{ bearer: [] }]

/** Registration and the signed-in user's own account. */
export const userRoutes = (app: HttpApp, context: CommandContext) => {
  const { directory, idempotency, emailClaims } = context
  const onlyUsers = authenticate(directory)

  const execute = (
    request: FastifyRequest,
    userId: string,
    command: UserCommand,
    context_: { msgId: string; beforeAppend: Parameters<typeof executeCommand>[4]['beforeAppend'] },
    respond: (state: UserState) => CommandResponse,
  ) =>
    executeCommand(context, userAggregate, directory, command, {
      id: userId,
      msgId: context_.msgId,
      beforeAppend: context_.beforeAppend,
      metadata: { actor: userId, time: new Date().toISOString(), correlationId: request.id },
      respond,
      newAggregate: command.type === 'RegisterUser',
    })

  /** A command by the signed-in user on their own account. */
  const own = (
    request: FastifyRequest,
    command: UserCommand,
    respond: (state: UserState) => CommandResponse,
  ) => {
    const caller = callerOf(request)
    return idempotency.run(request, caller.id, (context_) =>
      execute(request, caller.id, command, context_, respond),
    )
  }

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Register a user; the response holds their bearer token (shown only here)',
        headers: CommandHeaders,
        body: RegisterUserBody,
        response: { 201: RegisteredAccountView, ...problemResponses(400, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const { name, email } = request.body
      const response = await idempotency.run(request, `register:${email.toLowerCase()}`, async (context_) => {
        const userId = randomUUID()
        const { token, tokenHash } = issueToken(userId)
        await emailClaims.claim(email, userId)
        try {
          return await execute(
            request,
            userId,
            { type: 'RegisterUser', name, email, tokenHash },
            context_,
            (state) => ({
              status: 201,
              body: { ...account(state), token },
              headers: { location: `/users/${userId}` },
            }),
          )
        } catch (error) {
          await emailClaims.release(email, userId).catch(() => undefined)
          throw error
        }
      })
      return sendResponse(reply, response)
    },
  )

  app.patch(
    '/users/me',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: "Change the signed-in user's name",
        headers: CommandHeaders,
        body: RenameUserBody,
        response: { 200: AccountView, ...problemResponses(400, 401, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const response = await own(request, { type: 'RenameUser', name: request.body.name }, (state) => ({
        status: 200,
        body: account(state),
        headers: {},
      }))
      return sendResponse(reply, response)
    },
  )

  app.post(
    '/users/me/token',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: 'Replace the bearer token; the old one stops working',
        headers: CommandHeaders,
        response: { 200: TokenView, ...problemResponses(400, 401, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { token, tokenHash } = issueToken(callerOf(request).id)
      const response = await own(request, { type: 'RotateToken', tokenHash }, () => ({
        status: 200,
        body: { token },
        headers: {},
      }))
      return sendResponse(reply, response)
    },
  )

  app.delete(
    '/users/me',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary: 'Deactivate the signed-in user: the token stops working; notes and history stay',
        headers: CommandHeaders,
        response: { 204: z.null().describe('Deactivated'), ...problemResponses(400, 401, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const response = await own(request, { type: 'DeactivateUser' }, () => ({ status: 204, headers: {} }))
      return sendResponse(reply, response)
    },
  )
}

const account = (state: UserState) => {
  if (state === null) throw new Error('a user command left no user')
  return toAccountView(state)
}
