import type { UserEvent } from './events.ts'
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
    default: {
      const unknown: never = event
      return unknown
    }
  }
}
