import { z } from 'zod'
import { Id } from '../ids.ts'
import type { User } from './state.ts'

/** The signed-in user's own account. */
export const AccountView = z.object({ id: Id, name: z.string(), email: z.string() })
export type AccountView = z.infer<typeof AccountView>

/** A newly registered account with the bearer token to use from now on (shown once). */
export const RegisteredAccountView = AccountView.extend({ token: z.string() })
export type RegisteredAccountView = z.infer<typeof RegisteredAccountView>

export const TokenView = z.object({ token: z.string() })
export type TokenView = z.infer<typeof TokenView>

export const toAccountView = (user: User): AccountView => ({
  id: user.id,
  name: user.name,
  email: user.email,
})

/** What any signed-in user may know about another. */
export const PublicUserView = z.object({ id: Id, name: z.string(), active: z.boolean() })
export type PublicUserView = z.infer<typeof PublicUserView>
