import { NatsDisconnectedError } from '@jetnotes/platform'
import { type PositionMarker, positionMarkerKey } from '@jetnotes/schemas'
import type { KV, KvEntry } from '@nats-io/kv'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'

/** What a read of one read-model entry gives: whether it is there, and its value. */
export type ViewEntry = Pick<KvEntry, 'operation' | 'json'>

/** How a request reads one read model: the bucket itself, the process's cache of it, or an older shape's adapter. */
export type ViewReader = { get(key: string): Promise<ViewEntry | null> }

/** An entry as the cache keeps it. */
export type CachedEntry = Pick<KvEntry, 'operation' | 'revision' | 'length' | 'json' | 'string'>

/**
 * What a route makes of an entry (a note's answer, serialised), worked out once per entry and kept with it while
 * the entry is cached: an entry never changes (a change arrives as a new entry), so neither does what it gives.
 * `bytes` is what the value costs in memory, counted in the cache's bound.
 */
export type Derivation<T> = { derive: (entry: ViewEntry) => T; bytes: (value: T) => number }

/** What `derivation` gives for an entry: kept with a cached entry, worked out anew for one read from a bucket. */
export const derivedOf = <T>(entry: ViewEntry, derivation: Derivation<T>): T =>
  entry instanceof OwnEntry ? entry.derived(derivation) : derivation.derive(entry)

const utf8 = new TextDecoder()

/**
 * An entry with its own copy of the value. nats.js hands out each message's bytes as a view into the socket's
 * read buffer, so a cached view would keep that whole buffer (tens of kilobytes) alive for a few bytes.
 */
class OwnEntry implements CachedEntry {
  readonly operation: KvEntry['operation']
  readonly revision: number
  readonly #value: Uint8Array
  #derived: { derivation: Derivation<unknown>; value: unknown; bytes: number } | undefined

  constructor(
    entry: KvEntry,
    /** Told when a derived value was added, so the cache counts its bytes. */
    private readonly grown: (entry: OwnEntry) => void = () => {},
  ) {
    this.operation = entry.operation
    this.revision = entry.revision
    this.#value = entry.value.slice()
  }

  get length() {
    return this.#value.length
  }

  /** The memory the entry holds: its value and what was derived from it. */
  get bytes() {
    return this.#value.length + (this.#derived?.bytes ?? 0)
  }

  derived<T>(derivation: Derivation<T>): T {
    if (this.#derived?.derivation === derivation) return this.#derived.value as T
    const value = derivation.derive(this)
    this.#derived = { derivation: derivation as Derivation<unknown>, value, bytes: derivation.bytes(value) }
    this.grown(this)
    return value
  }

  string() {
    return utf8.decode(this.#value)
  }

  json<T>(): T {
    return JSON.parse(this.string()) as T
  }
}

/** Where a cache counts its reads: answered from memory (hits), or from the bucket (misses). */
export type CacheReads = { hits: { inc(): void }; misses: { inc(): void } }

const uncounted: CacheReads = { hits: { inc: () => {} }, misses: { inc: () => {} } }

/** A key's latest entry as this process knows it; `null` when the bucket has no such key. */
type Known = { entry: OwnEntry | null; revision: number }

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
 *
 * It knows the stream position it reflects: the projector puts a position marker into the bucket after each
 * batch's entries, and the watch delivers entries in order, so once the marker for `seq` arrives, every entry up
 * to `seq` has arrived before it. A key not cached is read from the bucket, which is newer still.
 */
export class WatchedBucket implements ViewReader {
  readonly #known: LRUCache<string, Known>
  /** Keys with a read of the bucket in flight, and how many. */
  readonly #reading = new Map<string, number>()
  #watching = false
  #stopped = false
  #stop: (() => void) | undefined
  #position = 0

  constructor(
    private readonly bucket: KV,
    maxBytes: number,
    private readonly logger: Logger,
    /** Whether NATS can be asked now: when not, a read the cache cannot answer is refused at once (503). */
    private readonly reachable: () => boolean = () => true,
    private readonly reads: CacheReads = uncounted,
  ) {
    this.#known = new LRUCache<string, Known>({
      maxSize: maxBytes,
      // The entry's bytes, plus what a key and its bookkeeping cost.
      sizeCalculation: (known, key) => (known.entry?.bytes ?? 0) + key.length + 100,
    })
  }

  /**
   * Starts the watch; resolves once the server delivers every later update to it. `floor` is a position the
   * bucket is known to hold already (the projector's last report), for a bucket with no marker yet.
   */
  async start(floor = 0): Promise<void> {
    // Read before the watch starts: the bucket holds everything up to this marker when the watch takes over.
    const marker = markedSeq(await this.bucket.get(positionMarkerKey))
    const watch = await this.bucket.watch({ include: 'updates' })
    // Stopped while the watch was being set up (a generation switched meanwhile): nothing to follow.
    if (this.#stopped) return watch.stop()
    this.#stop = () => watch.stop()
    this.#position = Math.max(this.#position, floor, marker ?? 0)
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

  async get(key: string): Promise<CachedEntry | null> {
    const known = this.#watching ? this.#known.get(key) : undefined
    if (known !== undefined) {
      this.reads.hits.inc()
      return known.entry
    }
    this.reads.misses.inc()
    if (!this.reachable()) throw new NatsDisconnectedError()
    if (!this.#watching) return this.bucket.get(key)
    this.#reading.set(key, (this.#reading.get(key) ?? 0) + 1)
    try {
      const entry = this.#own(key, await this.bucket.get(key))
      if (this.#watching) this.#remember(key, { entry, revision: entry?.revision ?? 0 })
      // An update that overtook the read is newer: answer with it.
      return this.#known.get(key)?.entry ?? entry
    } finally {
      const readers = (this.#reading.get(key) ?? 1) - 1
      if (readers === 0) this.#reading.delete(key)
      else this.#reading.set(key, readers)
    }
  }

  /**
   * The last stream sequence whose changes this cache holds (reads may be newer, never older); `undefined` while
   * it is not watching, as reads then go to the bucket itself.
   */
  get position(): number | undefined {
    return this.#watching ? this.#position : undefined
  }

  /** Cached entries, for tests and metrics. */
  get size(): number {
    return this.#known.size
  }

  #update(entry: KvEntry) {
    if (entry.key === positionMarkerKey) {
      this.#position = Math.max(this.#position, markedSeq(entry) ?? 0)
      return
    }
    // Keys nobody reads are not worth memory; a key being read needs the update, or its read could cache an
    // older value that no later update would correct.
    if (this.#known.has(entry.key) || this.#reading.has(entry.key)) {
      this.#remember(entry.key, { entry: this.#own(entry.key, entry), revision: entry.revision })
    }
  }

  #own(key: string, entry: KvEntry | null): OwnEntry | null {
    return entry === null ? null : new OwnEntry(entry, (grown) => this.#recount(key, grown))
  }

  /** Counts what was derived from a cached entry (a new record for the key: the cache sizes it anew). */
  #recount(key: string, entry: OwnEntry) {
    const current = this.#known.peek(key)
    if (current?.entry === entry) this.#known.set(key, { ...current })
  }

  #remember(key: string, known: Known) {
    const current = this.#known.peek(key)
    if (current === undefined || current.revision < known.revision) this.#known.set(key, known)
  }
}

/** The position a marker entry names; `undefined` when there is none (or it is not a marker). */
const markedSeq = (entry: KvEntry | null): number | undefined => {
  if (entry?.operation !== 'PUT') return undefined
  try {
    const { seq } = entry.json<Partial<PositionMarker>>()
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined
  } catch {
    return undefined
  }
}
