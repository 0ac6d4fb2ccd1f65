import type { User } from '@jetnotes/schemas'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { UserDirectory } from '../auth/user-directory.ts'
import { UnauthorizedError } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by the `authenticate` hook. */
    user?: User
    /**
     * A token already checked in this request (by the rate limits, before the body is read) and the user it
     * belonged to then: `authenticate` does not hash the same token again.
     */
    checkedToken?: { token: string; user: User }
  }
}

/** The bearer token of a request: `Authorization: Bearer <token>`. */
const bearerToken = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/**
 * A preHandler hook that admits only requests with the token of an active user. A callback hook: a token the rate
 * limits already checked (nearly every request) is admitted at once, with no promise; another is looked up.
 */
export const authenticate =
  (directory: UserDirectory, tokenOf: (request: FastifyRequest) => string | undefined = bearerToken) =>
  (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const token = tokenOf(request)
    if (token === undefined) return done(new UnauthorizedError())
    const checked = request.checkedToken
    if (checked?.token === token) return admit(request, checked.user, done)
    // Two callbacks, not then/catch: an error thrown by what `done` runs next must not call `done` again.
    directory.authenticate(token).then((user) => admit(request, user, done), done)
  }

const admit = (request: FastifyRequest, user: User | undefined, done: HookHandlerDoneFunction) => {
  if (user === undefined) return done(new UnauthorizedError('The bearer token is not valid'))
  request.user = user
  done()
}

export { bearerToken }

/** The id of the account a request's bearer token belongs to, if the directory knows it now (no I/O). */
export const knownUserOf =
  (directory: UserDirectory) =>
  (request: FastifyRequest): string | undefined => {
    const token = bearerToken(request)
    const user = token === undefined ? undefined : directory.knownUser(token)
    if (token === undefined || user === undefined) return undefined
    request.checkedToken = { token, user }
    return user.id
  }

/** The authenticated caller. Only for routes behind `authenticate`. */
export const callerOf = (request: FastifyRequest): User => {
  if (request.user === undefined) throw new UnauthorizedError()
  return request.user
}
