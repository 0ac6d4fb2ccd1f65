import type { Permission } from './fields.ts'

/**
 * Who a note is shared with: user id -> permission (the owner is never in here).
 *
 * User ids are data, not property names: `__proto__`, `constructor` and `toString` are valid ids like any other,
 * so a plain object literal would answer for them with what it inherits from `Object.prototype`. Shares are
 * therefore built only by the functions below, as objects without a prototype, and read only through own
 * properties: a note parsed back from JSON (a snapshot, a read-model record) has `Object.prototype` again,
 * and must still answer "no share" for `constructor`. It stays a plain object so that notes remain JSON.
 */
export type Shares = Readonly<Record<string, Permission>>

/** Shares of a note shared with nobody. */
export const emptyShares = (): Shares => Object.create(null) as Shares

/** The permission shared with this user, if any. */
export const permissionOf = (shares: Shares, userId: string): Permission | undefined =>
  Object.hasOwn(shares, userId) ? shares[userId] : undefined

/** Whether the note is shared with this user. */
export const isSharedWith = (shares: Shares, userId: string): boolean => Object.hasOwn(shares, userId)

/** The ids of the users the note is shared with. */
export const shareeIds = (shares: Shares): string[] => Object.keys(shares)

/** Each share as `{ userId, permission }`, in the order they were first given. */
export const shareList = (shares: Shares): { userId: string; permission: Permission }[] =>
  Object.entries(shares).map(([userId, permission]) => ({ userId, permission }))

/** The shares with this user given this permission (added or changed). */
export const withShare = (shares: Shares, userId: string, permission: Permission): Shares => {
  const next = copyOf(shares)
  // On an object without a prototype, an assignment defines an own property, even for `__proto__`.
  next[userId] = permission
  return next
}

/** The shares without this user's. */
export const withoutShare = (shares: Shares, userId: string): Shares => copyOf(shares, userId)

/** A prototype-free copy of the shares, leaving out one user's if asked. */
const copyOf = (shares: Shares, leftOut?: string): Record<string, Permission> => {
  const copy = Object.create(null) as Record<string, Permission>
  for (const [userId, permission] of Object.entries(shares)) {
    if (userId !== leftOut) copy[userId] = permission
  }
  return copy
}
