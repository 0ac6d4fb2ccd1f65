import { z } from 'zod'
import { Id } from '../ids.ts'

/** Limits on note content. The HTTP body limit (256 KiB) is the outer bound; these keep one note sane. */
export const noteLimits = {
  titleMax: 200,
  bodyMax: 100_000,
  tagsMax: 20,
  tagMax: 40,
} as const

export const Title = z.string().trim().min(1).max(noteLimits.titleMax)
export const Body = z.string().max(noteLimits.bodyMax)
export const Tag = z
  .string()
  .regex(/^[\p{L}\p{N}_-]{1,40}$/u, 'must be 1-40 letters, digits, "_" or "-"')
  .transform((tag) => tag.toLowerCase())
export const Tags = z
  .array(Tag)
  .max(noteLimits.tagsMax)
  .transform((tags) => [...new Set(tags)])

export const Permission = z.enum(['read', 'write'])
export type Permission = z.infer<typeof Permission>

export const Share = z.object({ userId: Id, permission: Permission })
export type Share = z.infer<typeof Share>
