import { randomBytes, randomUUID } from 'node:crypto'
import {
  authenticate,
  bearerToken,
  callerOf,
  type HttpApp,
  InvalidCredentialsError,
  issueToken,
  problemResponses,
  sessionIdOf,
  UnauthorizedError,
} from '@jetnotes/platform'
import {
  AccountView,
  ChangePasswordBody,
  RegisteredAccountView,
  RegisterUserBody,
  RenameUserBody,
  SignInBody,
  TokenView,
  toAccountView,
  type User,
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
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts'

/** A signed-in session: its bearer token (shown only here) and whose it is. */
const SessionView = z.object({ token: z.string(), user: AccountView })

/** A random id for a credential or a session (128 bits, hex). */
const newSecretId = () => randomBytes(16).toString('hex')

const tags = ['users']
const security = [{ bearer: [] }]

/** Registration and the signed-in user's own account. */
export const userRoutes = (app: HttpApp, context: CommandContext) => {
  const { directory, idempotency, emailClaims, credentials, signInLimits } = context
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

  /** Hashes a new password and stores it under a new credential id (before the event that makes it current). */
  const storePassword = async (userId: string, password: string) => {
    const credentialId = newSecretId()
    await credentials.store(userId, credentialId, await hashPassword(password))
    return credentialId
  }

  /**
   * Whether `password` is the user's current one. Without a user, a password or a stored hash, a dummy hash is
   * checked all the same, so that every failure takes as long as a wrong password.
   */
  const passwordMatches = async (user: User | undefined, password: string): Promise<boolean> => {
    const stored =
      user?.active === true && user.credentialId !== null
        ? await credentials.hashOf(user.id, user.credentialId)
        : undefined
    const matches = await verifyPassword(password, stored ?? (await dummyHash))
    return matches && stored !== undefined
  }

  /** The account an e-mail address belongs to, as the directory knows it, or `undefined`. */
  const accountOf = async (email: string): Promise<User | undefined> => {
    const holder = await emailClaims.holderOf(email)
    return holder === undefined ? undefined : ((await directory.load(holder)).state ?? undefined)
  }

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary:
          'Register a user, with a password to sign in with (optional); the response holds their API token (shown only here)',
        headers: CommandHeaders,
        body: RegisterUserBody,
        response: { 201: RegisteredAccountView, ...problemResponses(400, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const { name, email, password } = request.body
      const response = await idempotency.run(request, `register:${email.toLowerCase()}`, async (context_) => {
        const userId = randomUUID()
        const { token, tokenHash } = issueToken(userId)
        await emailClaims.claim(email, userId)
        try {
          const credentialId = password === undefined ? undefined : await storePassword(userId, password)
          return await execute(
            request,
            userId,
            {
              type: 'RegisterUser',
              name,
              email,
              tokenHash,
              ...(credentialId === undefined ? {} : { credentialId }),
            },
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

  app.post(
    '/sessions',
    {
      schema: {
        tags,
        summary:
          'Sign in with e-mail and password: a new session token (shown only here) that works like the API token until signed out',
        body: SignInBody,
        response: { 201: SessionView, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body
      signInLimits.attempt(email, request.ip)
      const user = await accountOf(email)
      if (!(await passwordMatches(user, password)) || user === undefined) throw new InvalidCredentialsError()
      signInLimits.succeeded(email)
      const { token, tokenHash } = issueToken(user.id)
      const command: UserCommand = { type: 'SignIn', sessionId: newSecretId(), tokenHash }
      // No idempotency record: it would keep the session token in the bucket for a day.
      const response = await idempotency.once((context_) =>
        execute(request, user.id, command, context_, (state) => ({
          status: 201,
          body: { token, user: account(state) },
          headers: {},
        })),
      )
      return sendResponse(reply, response)
    },
  )

  app.delete(
    '/sessions/current',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary:
          "Sign out: the request's session token stops working (the account's other sessions go on; with the API token, nothing changes)",
        headers: CommandHeaders,
        response: { 204: z.null().describe('Signed out'), ...problemResponses(400, 401, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const sessionId = sessionIdOf(callerOf(request), bearerToken(request) ?? '')
      if (sessionId === undefined) return reply.status(204).send(null)
      const response = await own(request, { type: 'SignOut', sessionId }, () => ({
        status: 204,
        headers: {},
      }))
      return sendResponse(reply, response)
    },
  )

  app.put(
    '/users/me/password',
    {
      preHandler: onlyUsers,
      schema: {
        tags,
        security,
        summary:
          "Set or change the signed-in user's password; every other session of the account ends (the API token stays)",
        headers: CommandHeaders,
        body: ChangePasswordBody,
        response: {
          204: z.null().describe('Changed'),
          ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const token = bearerToken(request)
      if (token === undefined) throw new UnauthorizedError()
      const { currentPassword, password } = request.body
      const response = await idempotency.run(request, caller.id, async (context_) => {
        if (caller.credentialId !== null) {
          signInLimits.attempt(caller.email, request.ip)
          if (!(await passwordMatches(caller, currentPassword ?? ''))) throw new InvalidCredentialsError(403)
          signInLimits.succeeded(caller.email)
        }
        const keptSessionId = sessionIdOf(caller, token)
        const command: UserCommand = {
          type: 'ChangePassword',
          credentialId: await storePassword(caller.id, password),
          ...(keptSessionId === undefined ? {} : { keptSessionId }),
        }
        const changed = await execute(request, caller.id, command, context_, () => ({
          status: 204,
          headers: {},
        }))
        // The replaced hash is no longer anyone's password: purge it (a failure only leaves it unused).
        if (caller.credentialId !== null) {
          await credentials
            .forget(caller.id, caller.credentialId)
            .catch((error: unknown) =>
              request.log.warn({ err: error }, 'could not purge a replaced password hash'),
            )
        }
        return changed
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
