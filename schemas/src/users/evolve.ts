import type { UserEvent } from './events.ts'
import { maxSessions } from './fields.ts'
import type { UserState } from './state.ts'

/** Folds one user event into the user's state. Pure. */
export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'UserRegistered':
      return {
        id: event.aggregateId,
        name: event.data.name,
        email: event.data.email,
        tokenHash: event.data.tokenHash,
        credentialId: null,
        sessions: [],
        active: true,
        version: event.version,
        registeredAt: event.time,
      }
    case 'UserRenamed':
      return state && { ...state, name: event.data.name, version: event.version }
    case 'UserTokenRotated':
      return state && { ...state, tokenHash: event.data.tokenHash, version: event.version }
    case 'UserDeactivated':
      return state && { ...state, active: false, version: event.version }
    case 'UserPasswordChanged': {
      const { credentialId, keptSessionId } = event.data
      const sessions = state?.sessions.filter((session) => session.id === keptSessionId) ?? []
      return state && { ...state, credentialId, sessions, version: event.version }
    }
    case 'UserSignedIn': {
      const { sessionId, tokenHash } = event.data
      // The oldest sessions end when there would be more than the most an account keeps.
      const sessions = [...(state?.sessions ?? []), { id: sessionId, tokenHash }].slice(-maxSessions)
      return state && { ...state, sessions, version: event.version }
    }
    case 'UserSignedOut': {
      const sessions = state?.sessions.filter((session) => session.id !== event.data.sessionId) ?? []
      return state && { ...state, sessions, version: event.version }
    }
    default: {
      const unknown: never = event
      return unknown
    }
  }
}
