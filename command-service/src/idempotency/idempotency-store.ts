import type { KV } from '@nats-io/kv'
import { z } from 'zod'

const Response = z.object({
  status: z.number(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()),
})

/**
 * What the store remembers of a key. `pending`: an append was about to happen (where, and the answer it would
 * give); `done`: the complete response to replay.
 */
export const IdempotencyRecord = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('pending'),
    fingerprint: z.string(),
    startedAt: z.number(),
    plan: z.object({
      stream: z.enum(['USERS', 'NOTES']),
      subject: z.string(),
      expectedSeq: z.number(),
      response: Response,
    }),
  }),
  z.object({ state: z.literal('done'), fingerprint: z.string(), response: Response }),
])
export type IdempotencyRecord = z.infer<typeof IdempotencyRecord>
export type StoredResponse = z.infer<typeof Response>

/** The Idempotency-Key records, in a KV bucket whose entries expire after 24 hours. */
export class IdempotencyStore {
  constructor(private readonly kv: KV) {}

  async get(key: string): Promise<{ record: IdempotencyRecord; revision: number } | undefined> {
    const entry = await this.kv.get(key)
    if (entry === null || entry.operation !== 'PUT') return undefined
    return { record: IdempotencyRecord.parse(entry.json()), revision: entry.revision }
  }

  /** Stores a record for a new key; fails if the key exists (another request holds it). */
  create(key: string, record: IdempotencyRecord): Promise<number> {
    return this.kv.create(key, JSON.stringify(record))
  }

  /** Replaces a record this request holds, if nobody replaced it since `revision`. */
  update(key: string, record: IdempotencyRecord, revision: number): Promise<number> {
    return this.kv.update(key, JSON.stringify(record), revision)
  }

  put(key: string, record: IdempotencyRecord): Promise<number> {
    return this.kv.put(key, JSON.stringify(record))
  }
}
