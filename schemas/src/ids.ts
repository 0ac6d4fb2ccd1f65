import { z } from 'zod'

/**
 * An aggregate id (note or user). Ids become the last token of a NATS subject (`notes.<id>`), so they are
 * restricted to a URL- and subject-safe alphabet: no `.`, `*`, `>`, whitespace or control characters.
 */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"')
  .describe('An id: 1-64 characters of A-Z, a-z, 0-9, "_" or "-"')
export type Id = z.infer<typeof Id>

export const isValidId = (value: string): value is Id => Id.safeParse(value).success
