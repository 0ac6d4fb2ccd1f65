import { acceptedEvents } from '@jetnotes/platform'
import type { UserEvent, UserRecord } from '@jetnotes/schemas'

/**
 * The `users` read model after one message. Public facts only (no e-mail, no token hash), and the version, which
 * the rule of the next version needs.
 */
export const evolveUserRecord = (
  record: UserRecord | undefined,
  events: readonly UserEvent[],
  seq: number,
): UserRecord | undefined => {
  if (record !== undefined && record.seq >= seq) return record
  let next = record
  // A commit that does not carry the user's next version changes nothing but the position (`refusalOf`).
  for (const event of acceptedEvents(record ?? null, events)) {
    switch (event.type) {
      case 'UserRegistered':
        next = { id: event.aggregateId, name: event.data.name, active: true, version: event.version, seq }
        break
      case 'UserRenamed':
        if (next) next = { ...next, name: event.data.name, version: event.version }
        break
      case 'UserDeactivated':
        if (next) next = { ...next, active: false, version: event.version }
        break
      // Token, password and sessions are not public: only the version moves.
      case 'UserTokenRotated':
      case 'UserPasswordChanged':
      case 'UserSignedIn':
      case 'UserSignedOut':
        if (next) next = { ...next, version: event.version }
        break
      default: {
        const unknown: never = event
        return unknown
      }
    }
  }
  return next && { ...next, seq }
}
