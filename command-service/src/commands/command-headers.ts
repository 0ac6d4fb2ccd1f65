import { z } from 'zod'

/** Request headers every command accepts, as the OpenAPI description shows them. */
export const CommandHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .optional()
    .describe('Makes the request safe to retry: the same key returns the first response and appends nothing'),
})

/** Command headers plus the optimistic-concurrency precondition of note commands. */
export const NoteCommandHeaders = CommandHeaders.extend({
  'if-match': z
    .string()
    .optional()
    .describe('The note version the change is based on, as its ETag: "3" (412 if stale)'),
})
