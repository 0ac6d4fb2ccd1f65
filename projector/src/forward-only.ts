import { isWrongLastSequence } from '@jetnotes/platform'
import type { KV } from '@nats-io/kv'

/**
 * Entries of a bucket that only ever move forward: the projections' positions and the position markers. Each
 * write compare-and-sets on the revision this process last wrote or read (kept here, so a write costs one round
 * trip). When another projector wrote in between (two folding at once, for a moment), the entry is read again
 * and the write goes on only if it is further on than what the entry holds.
 */
export class ForwardOnly {
  readonly #revisions = new Map<string, number>()

  constructor(private readonly kv: KV) {}

  /** Writes `value` under `key` unless the entry is already at `value.seq` or further; says whether it wrote. */
  async advance(key: string, value: { seq: number }): Promise<boolean> {
    for (;;) {
      let revision = this.#revisions.get(key)
      if (revision === undefined) {
        const entry = await this.kv.get(key)
        if (entry?.operation === 'PUT' && entry.json<{ seq: number }>().seq >= value.seq) {
          this.#revisions.set(key, entry.revision)
          return false
        }
        revision = entry?.revision ?? 0
      }
      try {
        this.#revisions.set(key, await this.kv.put(key, JSON.stringify(value), { previousSeq: revision }))
        return true
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error
        this.#revisions.delete(key)
      }
    }
  }

  /** Forgets what it knew of `key` (the entry was removed). */
  forget(key: string): void {
    this.#revisions.delete(key)
  }
}
