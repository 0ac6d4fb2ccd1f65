import { z } from 'zod'

export const UserName = z.string().trim().min(1).max(100)
export const Email = z
  .email()
  .max(254)
  .transform((email) => email.trim())
/** The hex SHA-256 of a bearer token's secret. Tokens themselves are never stored. */
export const TokenHash = z.string().regex(/^[0-9a-f]{64}$/)
/** A password as a person types it: at least 8 characters, at most 200 (it is hashed, never stored). */
export const Password = z.string().min(8).max(200)
/** Random ids of credentials and sessions (hex, 32 characters), chosen by the command side. */
export const SecretId = z.string().regex(/^[0-9a-f]{32}$/)
/** How many sessions an account keeps at most: a sign-in beyond that ends the oldest. */
export const maxSessions = 10
