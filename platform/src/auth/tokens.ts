import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import { isValidId } from '@jetnotes/schemas'

/**
 * Bearer tokens are `<userId>.<secret>`: the user id lets any process find the account without an index, the
 * 256-bit secret proves it. Only the SHA-256 of the secret is stored (in the user's events).
 */
export type IssuedToken = { token: string; tokenHash: string }

export const issueToken = (userId: string): IssuedToken => {
  const secret = randomBytes(32).toString('base64url')
  return { token: `${userId}.${secret}`, tokenHash: hashSecret(secret) }
}

export type ParsedToken = { userId: string; secretHash: string }

/** Splits a presented token, or `undefined` if it cannot be one of ours. */
export const parseToken = (token: string): ParsedToken | undefined => {
  const dot = token.indexOf('.')
  if (dot <= 0 || token.length > 200) return undefined
  const userId = token.slice(0, dot)
  const secret = token.slice(dot + 1)
  if (!isValidId(userId) || !/^[A-Za-z0-9_-]{32,}$/.test(secret)) return undefined
  return { userId, secretHash: hashSecret(secret) }
}

/** Compares two hex digests in constant time. */
export const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'))

/** One-shot `hash`: no Hash object per request, as `createHash` makes (the token is hashed on every request). */
const hashSecret = (secret: string) => hash('sha256', secret, 'hex')
