import { isWrongLastSequence } from '@jetnotes/platform'
import type { KV } from '@nats-io/kv'

/**
 * Entries of a bucket that only ever move forward: the projections' positions and the position markers. Each
 * write compare-and-sets on the revision this process last wrote or read (kept here, so a write costs one round
 * trip). When another projector wrote in between (two folding at once, for a moment), the entry is read again
 * and the write goes on only if it is further on than what the entry holds.
 */
export class ForwardOnly {
  /** What this process last wrote or read of each key: its revision and how far it was. */
  readonly #known = new Map<string, { revision: number; seq: number }>()

  constructor(private readonly kv: KV) {}

  /** Writes `value` under `key` unless the entry is already at `value.seq` or further; says whether it wrote. */
  async advance(key: string, value: { seq: number }): Promise<boolean> {
    for (;;) {
      let known = this.#known.get(key)
      if (known === undefined) {
        const entry = await this.kv.get(key)
        const seq = entry?.operation === 'PUT' ? entry.json<{ seq: number }>().seq : 0
        known = { revision: entry?.revision ?? 0, seq }
        this.#known.set(key, known)
      }
      if (known.seq >= value.seq) return false
      try {
        const revision = await this.kv.put(key, JSON.stringify(value), { previousSeq: known.revision })
        const latest = this.#known.get(key)
        // Two runners of this process may advance the same key: keep the further one.
        if (latest === undefined || latest.seq < value.seq) this.#known.set(key, { revision, seq: value.seq })
        return true
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error
        this.#known.delete(key)
      }
    }
  }

  /** Forgets what it knew of `key` (the entry was removed). */
  forget(key: string): void {
    this.#known.delete(key)
  }
}
