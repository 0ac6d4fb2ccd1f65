import type { KV, KvEntry } from '@nats-io/kv'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'

/** How a request reads one read model: the bucket itself, or the process's cache of it. */
export type ViewReader = Pick<KV, 'get'>

/** A key's latest entry as this process knows it; `null` when the bucket has no such key. */
type Known = { entry: KvEntry | null; revision: number }

/**
 * A read-through cache of one read-model bucket, kept current by one KV watch (a single ordered consumer per
 * bucket and process, never one per request or client). A read served from it costs no NATS round trip.
 *
 * It is as fresh as the watch: an update reaches it a moment after it reaches the bucket. That suits
 * eventually consistent reads; a read with a Consistency-Token goes to the bucket instead (see `ReadModels`).
 *
 * Every update after the watch started arrives through it, so a cached entry only ever moves forward:
 * revisions decide between a read and an update that race, and an update for a key being read is kept
 * even though the key was not cached yet. Should the watch end, the cache empties and reads go to the bucket.
 */
export class WatchedBucket implements ViewReader {
  readonly #known: LRUCache<string, Known>
  /** Keys with a read of the bucket in flight, and how many. */
  readonly #reading = new Map<string, number>()
  #watching = false
  #stopped = false
  #stop: (() => void) | undefined

  constructor(
    private readonly bucket: KV,
    maxBytes: number,
    private readonly logger: Logger,
  ) {
    this.#known = new LRUCache<string, Known>({
      maxSize: maxBytes,
      // The entry's bytes, plus what a key and its bookkeeping cost.
      sizeCalculation: (known, key) => (known.entry?.length ?? 0) + key.length + 100,
    })
  }

  /** Starts the watch; resolves once the server delivers every later update to it. */
  async start(): Promise<void> {
    const watch = await this.bucket.watch({ include: 'updates' })
    // Stopped while the watch was being set up (a generation switched meanwhile): nothing to follow.
    if (this.#stopped) return watch.stop()
    this.#stop = () => watch.stop()
    this.#watching = true
    void (async () => {
      for await (const entry of watch) this.#update(entry)
    })()
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'read-model watch failed; reading the bucket'),
      )
      .finally(() => {
        this.#watching = false
        this.#known.clear()
      })
  }

  stop(): void {
    this.#stopped = true
    this.#stop?.()
    this.#watching = false
    this.#known.clear()
  }

  async get(key: string): Promise<KvEntry | null> {
    if (!this.#watching) return this.bucket.get(key)
    const known = this.#known.get(key)
    if (known !== undefined) return known.entry
    this.#reading.set(key, (this.#reading.get(key) ?? 0) + 1)
    try {
      const entry = await this.bucket.get(key)
      if (this.#watching) this.#remember(key, { entry, revision: entry?.revision ?? 0 })
      // An update that overtook the read is newer: answer with it.
      return this.#known.get(key)?.entry ?? entry
    } finally {
      const readers = (this.#reading.get(key) ?? 1) - 1
      if (readers === 0) this.#reading.delete(key)
      else this.#reading.set(key, readers)
    }
  }

  /** Cached entries, for tests and metrics. */
  get size(): number {
    return this.#known.size
  }

  #update(entry: KvEntry) {
    // Keys nobody reads are not worth memory; a key being read needs the update, or its read could cache an
    // older value that no later update would correct.
    if (this.#known.has(entry.key) || this.#reading.has(entry.key)) {
      this.#remember(entry.key, { entry, revision: entry.revision })
    }
  }

  #remember(key: string, known: Known) {
    const current = this.#known.peek(key)
    if (current === undefined || current.revision < known.revision) this.#known.set(key, known)
  }
}
