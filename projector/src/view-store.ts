import type { ReadModelName } from '@jetnotes/schemas'
import type { KV } from '@nats-io/kv'
import { LRUCache } from 'lru-cache'

/** A message of the log as a projection sees it. */
export type LoggedMessage = { seq: number; subject: string; payload: unknown }

/** What a projection reads and writes: read-model entries by key, through this store. */
export interface Views {
  get<T>(readModel: ReadModelName, key: string): Promise<T | undefined>
  set(readModel: ReadModelName, key: string, value: unknown): void
}

/**
 * The projector's working set over one generation of read models. Reads go to a cache, then to KV; writes stay
 * in memory until `flush` puts them all, in parallel, before the batch's messages are acked. The projector is
 * the only writer of its buckets, so the cache is exact.
 *
 * `fresh: true` (a rebuild into new, empty buckets) never reads KV and keeps everything until flushed.
 */
export class ViewStore implements Views {
  readonly #dirty = new Map<string, { readModel: ReadModelName; key: string; value: unknown }>()
  readonly #cache = new LRUCache<string, { value: unknown }>({ max: 50_000 })

  constructor(
    private readonly buckets: Readonly<Record<string, KV>>,
    private readonly options: { fresh?: boolean } = {},
  ) {}

  async get<T>(readModel: ReadModelName, key: string): Promise<T | undefined> {
    const id = `${readModel}/${key}`
    const pending = this.#dirty.get(id)
    if (pending !== undefined) return pending.value as T
    const cached = this.#cache.get(id)
    if (cached !== undefined) return cached.value as T
    if (this.options.fresh) return undefined
    const entry = await this.#bucket(readModel).get(key)
    const value = entry === null || entry.operation !== 'PUT' ? undefined : entry.json<T>()
    this.#cache.set(id, { value })
    return value
  }

  /**
   * Reads the entries a batch will need, in parallel: a batch then costs one round trip for its reads instead
   * of one per new key. Ids that are not valid keys (a poison message's subject) are left to the fold.
   */
  async prefetch(entries: readonly { readModel: ReadModelName; key: string }[]): Promise<void> {
    if (this.options.fresh) return
    const missing = new Map<string, { readModel: ReadModelName; key: string }>()
    for (const entry of entries) {
      const id = `${entry.readModel}/${entry.key}`
      if (!this.#dirty.has(id) && !this.#cache.has(id)) missing.set(id, entry)
    }
    // A failed read is not an error here: the fold reads the entry again and reports it.
    await Promise.all(
      [...missing.values()].map(({ readModel, key }) => this.get(readModel, key).catch(() => undefined)),
    )
  }

  set(readModel: ReadModelName, key: string, value: unknown): void {
    this.#dirty.set(`${readModel}/${key}`, { readModel, key, value })
  }

  /** Entries written since the last flush. */
  get pendingWrites(): number {
    return this.#dirty.size
  }

  /**
   * Writes every changed entry. `concurrency` bounds the puts in flight (a rebuild flushes many at once).
   * Entries leave the dirty set only once written, so a failed flush can be retried or the batch redelivered.
   */
  async flush(concurrency = 256, onWritten?: (count: number) => void): Promise<void> {
    const writes = [...this.#dirty.entries()]
    let next = 0
    const worker = async () => {
      while (next < writes.length) {
        const [id, { readModel, key, value }] = writes[next++] as (typeof writes)[number]
        await this.#bucket(readModel).put(key, JSON.stringify(value))
        if (this.#dirty.get(id)?.value === value) this.#dirty.delete(id)
        if (!this.options.fresh) this.#cache.set(id, { value })
        onWritten?.(1)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, writes.length) }, worker))
  }

  /** Forgets everything unwritten and cached (after a failure, before messages are redelivered). */
  reset(): void {
    this.#dirty.clear()
    this.#cache.clear()
  }

  #bucket(readModel: ReadModelName): KV {
    const bucket = this.buckets[readModel]
    if (bucket === undefined) throw new Error(`no bucket for read model ${readModel}`)
    return bucket
  }
}
