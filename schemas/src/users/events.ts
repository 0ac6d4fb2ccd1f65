import { z } from 'zod'
import { defineEvent } from '../envelope.ts'
import { SecretId, TokenHash } from './fields.ts'

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

/**
 * The user set a password (at registration or later). The hash is in the command side's `credentials` bucket
 * under `<userId>.<credentialId>`, never in the log: the log says which credential is current. Every session
 * ends with it, except `keptSessionId` (the one the change was made from).
 */
export const UserPasswordChanged = defineEvent(
  'UserPasswordChanged',
  1,
  z.object({ credentialId: SecretId, keptSessionId: SecretId.optional() }),
)
export type UserPasswordChanged = z.infer<typeof UserPasswordChanged>

/** The user signed in with their password: a session token with this hash works until it is signed out. */
export const UserSignedIn = defineEvent(
  'UserSignedIn',
  1,
  z.object({ sessionId: SecretId, tokenHash: TokenHash }),
)
export type UserSignedIn = z.infer<typeof UserSignedIn>

/** The session's token stops working. */
export const UserSignedOut = defineEvent('UserSignedOut', 1, z.object({ sessionId: SecretId }))
export type UserSignedOut = z.infer<typeof UserSignedOut>

export const UserEvent = z.discriminatedUnion('type', [
  UserRegistered,
  UserRenamed,
  UserTokenRotated,
  UserDeactivated,
  UserPasswordChanged,
  UserSignedIn,
  UserSignedOut,
])
export type UserEvent = z.infer<typeof UserEvent>
export type UserEventType = UserEvent['type']
