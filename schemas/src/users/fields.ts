import { z } from 'zod'

export const UserName = z.string().trim().min(1).max(100)
export const Email = z
  .email()
  .max(254)
  .transform((email) => email.trim())
/** The hex SHA-256 of a bearer token's secret. Tokens themselves are never stored. */
export const TokenHash = z.string().regex(/^[0-9a-f]{64}$/)
