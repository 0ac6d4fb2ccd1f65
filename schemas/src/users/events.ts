import { z } from 'zod'
import { defineEvent } from '../envelope.ts'
import { TokenHash } from './fields.ts'

export const UserRegistered = defineEvent(
  'UserRegistered',
  1,
  z.object({ name: z.string(), email: z.string(), tokenHash: TokenHash }),
)
export type UserRegistered = z.infer<typeof UserRegistered>

export const UserRenamed = defineEvent('UserRenamed', 1, z.object({ name: z.string() }))
export type UserRenamed = z.infer<typeof UserRenamed>

/** The user's bearer token was replaced; the previous one stops working. */
export const UserTokenRotated = defineEvent('UserTokenRotated', 1, z.object({ tokenHash: TokenHash }))
export type UserTokenRotated = z.infer<typeof UserTokenRotated>

/** The user can no longer sign in. Their notes and history stay. */
export const UserDeactivated = defineEvent('UserDeactivated', 1, z.object({}))
export type UserDeactivated = z.infer<typeof UserDeactivated>

export const UserEvent = z.discriminatedUnion('type', [
  UserRegistered,
  UserRenamed,
  UserTokenRotated,
  UserDeactivated,
])
export type UserEvent = z.infer<typeof UserEvent>
export type UserEventType = UserEvent['type']
