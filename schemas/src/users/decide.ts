import type { Emitted } from '../envelope.ts'
import { ConflictError, type DomainError, NotFoundError } from '../errors.ts'
import type { UserCommand } from './commands.ts'
import type { UserEvent } from './events.ts'
import type { UserState } from './state.ts'

export type UserDecision = Emitted<UserEvent>[] | DomainError

/** Decides what a command does to a user account. E-mail uniqueness is enforced by the edge (a claim). */
export const decideUser = (state: UserState, command: UserCommand): UserDecision => {
  if (command.type === 'RegisterUser') {
    if (state !== null) return new ConflictError('A user with this id already exists')
    const { name, email, tokenHash, credentialId } = command
    const registered: Emitted<UserEvent> = { type: 'UserRegistered', data: { name, email, tokenHash } }
    return credentialId === undefined
      ? [registered]
      : [registered, { type: 'UserPasswordChanged', data: { credentialId } }]
  }
  if (state === null || !state.active) return new NotFoundError('User not found')
  switch (command.type) {
    case 'RenameUser':
      return command.name === state.name ? [] : [{ type: 'UserRenamed', data: { name: command.name } }]
    case 'RotateToken':
      return [{ type: 'UserTokenRotated', data: { tokenHash: command.tokenHash } }]
    case 'DeactivateUser':
      return [{ type: 'UserDeactivated', data: {} }]
    case 'ChangePassword': {
      const { credentialId, keptSessionId } = command
      const kept = state.sessions.some((session) => session.id === keptSessionId)
      return [
        { type: 'UserPasswordChanged', data: kept ? { credentialId, keptSessionId } : { credentialId } },
      ]
    }
    case 'SignIn':
      return [{ type: 'UserSignedIn', data: { sessionId: command.sessionId, tokenHash: command.tokenHash } }]
    case 'SignOut':
      // Signing out of a session that has ended already changes nothing.
      return state.sessions.some((session) => session.id === command.sessionId)
        ? [{ type: 'UserSignedOut', data: { sessionId: command.sessionId } }]
        : []
    default: {
      const unknown: never = command
      return unknown
    }
  }
}
