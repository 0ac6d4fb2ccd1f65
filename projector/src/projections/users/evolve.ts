import type { UserEvent, UserRecord } from '@jetnotes/schemas'

/** The `users` read model after one message. Public facts only: no e-mail, no token hash. */
export const evolveUserRecord = (
  record: UserRecord | undefined,
  events: readonly UserEvent[],
  seq: number,
): UserRecord | undefined => {
  if (record !== undefined && record.seq >= seq) return record
  let next = record
  for (const event of events) {
    switch (event.type) {
      case 'UserRegistered':
        next = { id: event.aggregateId, name: event.data.name, active: true, seq }
        break
      case 'UserRenamed':
        if (next) next = { ...next, name: event.data.name }
        break
      case 'UserDeactivated':
        if (next) next = { ...next, active: false }
        break
      case 'UserTokenRotated':
        break
      default: {
        const unknown: never = event
        return unknown
      }
    }
  }
  return next && { ...next, seq }
}
