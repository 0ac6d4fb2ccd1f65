import { isWrongLastSequence } from '@jetnotes/platform'
import type { ReadModelName } from '@jetnotes/schemas'
import { JetStreamApiError } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { LRUCache } from 'lru-cache'

/**
 * How a write is ordered and grouped. Stages are written in ascending order (each stage completes before the
 * next starts; deletions come last), so an entry that names another is written after it. A unit is a set of
 * entries that only make sense together (one user's list): if one of its writes fails for good, none of the
 * unit's later writes go out, and the unit is reported, not the whole batch. `creates`: the key is new (its id
 * comes from the event being folded, or the event creates what it names), so it is written only if nothing is
 * there, without reading it first.
 */
export type WriteOptions = { stage?: number; unit?: string; creates?: boolean }

/** What a projection reads and writes: read-model entries by key, through this store. */
export interface Views {
  get<T>(readModel: ReadModelName, key: string): Promise<T | undefined>
  set(readModel: ReadModelName, key: string, value: unknown, options?: WriteOptions): void
  delete(readModel: ReadModelName, key: string, options?: WriteOptions): void
}

/**
 * A write that kept failing for a reason of its own (too large, refused): its unit was left as it was.
 * `again`: the unit had failed before (it was given up at once, without retries).
 */
export type FailedWrite = {
  readModel: ReadModelName
  key: string
  unit: string
  reason: string
  again: boolean
}

export type FlushOptions = {
  /** Most writes in flight (a rebuild flushes many at once). */
  concurrency?: number
  /** Delays between the attempts of a write that fails for a reason of its own; then it is given up. */
  retryDelaysMs?: readonly number[]
  onWritten?: (count: number) => void
}

/** An entry as the bucket holds it: its value (`undefined`: none, or deleted) and its revision (0: never written). */
type Stored = { value: unknown; revision: number }

type Dirty = {
  readModel: ReadModelName
  key: string
  value: unknown
  stage: number
  unit: string
  /** What the write replaces, as read; `undefined`: not read (flush reads it first). */
  base: Stored | undefined
}

/**
 * Another writer changed an entry between this store's read and its write, and the entry does not already
 * hold what this write would (or something newer): two runners fold at once, and this one stops.
 */
export class LostRace extends Error {
  constructor(readonly entry: string) {
    super(`another writer changed ${entry}: stopping this fold`)
    this.name = 'LostRace'
  }
}

const deleted = Symbol('deleted')
/** The base of a `creates` write: nothing there, assumed rather than read. */
const assumedAbsent: Stored = Object.freeze({ value: undefined, revision: 0 })
const lastStage = Number.MAX_SAFE_INTEGER

/**
 * The projector's working set over one generation of read models. Reads go to a cache, then to KV; writes stay
 * in memory until `flush` puts them, stage by stage, before the batch's messages are acked.
 *
 * Every write is fenced: it compare-and-sets on the revision the entry had when it was read (the cache keeps
 * it with the value, so this costs no round trip), or on "nothing there" for a new key. One projector holds a
 * projection at a time (its lease), so a write normally goes through; when one fails, another writer was there
 * (a paused holder resuming after its lease was taken, or the one that took it). The entry is read again: if
 * it already holds this value, or a newer one (its `seq` is further on), the write is done or superseded and is
 * skipped (a view never moves backwards); a key assumed new (`creates`) that holds an older state of itself is a
 * leftover of a fold that died before its acks, and is replaced; otherwise the flush stops with `LostRace`,
 * before acks.
 *
 * `fresh: true` (a rebuild into new, empty buckets nobody else writes) never reads KV, writes without fences and
 * keeps everything until flushed.
 */
export class ViewStore implements Views {
  readonly #dirty = new Map<string, Dirty>()
  readonly #cache = new LRUCache<string, Stored>({ max: 50_000 })
  /** Units given up before: a write of theirs that fails again is given up at once, without holding the batch. */
  readonly #failing = new Set<string>()
  /** Fenced writes found already made, or superseded, by another fold (see the class); since the last `flush`. */
  skipped = 0

  constructor(
    private readonly buckets: Readonly<Record<string, KV>>,
    private readonly options: { fresh?: boolean } = {},
  ) {}

  async get<T>(readModel: ReadModelName, key: string): Promise<T | undefined> {
    const id = `${readModel}/${key}`
    const pending = this.#dirty.get(id)
    if (pending !== undefined) return pending.value === deleted ? undefined : (pending.value as T)
    const cached = this.#cache.get(id)
    if (cached !== undefined) return cached.value as T
    if (this.options.fresh) return undefined
    const stored = await this.#read(readModel, key)
    this.#cache.set(id, stored)
    return stored.value as T
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

  set(readModel: ReadModelName, key: string, value: unknown, options: WriteOptions = {}): void {
    const id = `${readModel}/${key}`
    const stage = options.stage ?? 1
    this.#dirty.set(id, {
      readModel,
      key,
      value,
      stage,
      unit: options.unit ?? id,
      base: this.#base(id, options),
    })
  }

  delete(readModel: ReadModelName, key: string, options: WriteOptions = {}): void {
    const id = `${readModel}/${key}`
    // A rebuild writes once, at the end, into empty buckets: an entry it deletes was never written.
    if (this.options.fresh) this.#dirty.delete(id)
    else
      this.#dirty.set(id, {
        readModel,
        key,
        value: deleted,
        stage: lastStage,
        unit: options.unit ?? id,
        base: this.#base(id, options),
      })
  }

  /** What a write of `id` replaces: as first read in this batch, or cached, or nothing for a new key. */
  #base(id: string, options: WriteOptions): Stored | undefined {
    const dirty = this.#dirty.get(id)
    if (dirty !== undefined) return dirty.base
    return this.#cache.get(id) ?? (options.creates ? assumedAbsent : undefined)
  }

  /** Entries written since the last flush. */
  get pendingWrites(): number {
    return this.#dirty.size
  }

  /** The entries to write (a rebuild writes them in bulk into its fresh buckets). */
  *pending(): Generator<{ readModel: ReadModelName; key: string; value: unknown }> {
    for (const { readModel, key, value } of this.#dirty.values()) {
      if (value !== deleted) yield { readModel, key, value }
    }
  }

  /** Forgets the entries to write (they were written another way). */
  clearPending(): void {
    this.#dirty.clear()
  }

  /**
   * Writes every changed entry, stage by stage. A write that fails for a reason of its own is retried with
   * backoff, then given up with the rest of its unit: those entries are forgotten (the next read gets what the
   * bucket holds) and returned, and everything else is written. A failure that is not about the entry (NATS
   * unavailable) throws: entries leave the dirty set only once written, so the batch can be folded again.
   */
  async flush(options: FlushOptions = {}): Promise<FailedWrite[]> {
    const { concurrency = 256, retryDelaysMs = [50, 200], onWritten } = options
    const failed = new Map<string, FailedWrite>()
    this.skipped = 0
    await this.#readBases(concurrency)
    const stages = [...new Set([...this.#dirty.values()].map((dirty) => dirty.stage))].sort((a, b) => a - b)
    for (const stage of stages) {
      const writes = [...this.#dirty.entries()].filter(([, dirty]) => dirty.stage === stage)
      await inParallel(writes, concurrency, async ([id, dirty]) => {
        if (failed.has(dirty.unit)) return
        const again = this.#failing.has(dirty.unit)
        const reason = await this.#write(dirty, again ? [] : retryDelaysMs)
        if (reason !== undefined) {
          failed.set(dirty.unit, {
            readModel: dirty.readModel,
            key: dirty.key,
            unit: dirty.unit,
            reason,
            again,
          })
          this.#failing.add(dirty.unit)
          return
        }
        this.#failing.delete(dirty.unit)
        if (this.#dirty.get(id) === dirty) this.#dirty.delete(id)
        onWritten?.(1)
      })
    }
    for (const [id, dirty] of this.#dirty) {
      if (failed.has(dirty.unit)) {
        this.#dirty.delete(id)
        this.#cache.delete(id)
      }
    }
    return [...failed.values()]
  }

  /** Forgets everything unwritten and cached (after a failure, before messages are redelivered). */
  reset(): void {
    this.#dirty.clear()
    this.#cache.clear()
  }

  /**
   * Reads what the writes not based on a read replace (e.g. a list's head, rewritten without being read), all
   * at once: one round trip for the batch, and only in the batches that have such writes.
   */
  async #readBases(concurrency: number): Promise<void> {
    if (this.options.fresh) return
    const unread = [...this.#dirty.entries()].filter(([, dirty]) => dirty.base === undefined)
    await inParallel(unread, concurrency, async ([id, dirty]) => {
      dirty.base = this.#cache.get(id) ?? (await this.#read(dirty.readModel, dirty.key))
    })
  }

  async #read(readModel: ReadModelName, key: string): Promise<Stored> {
    const entry = await this.#bucket(readModel).get(key)
    if (entry === null) return { value: undefined, revision: 0 }
    return { value: entry.operation === 'PUT' ? entry.json<unknown>() : undefined, revision: entry.revision }
  }

  /** Writes one entry; returns why it cannot be written, or throws when the failure is not the entry's. */
  async #write(dirty: Dirty, retryDelaysMs: readonly number[]): Promise<string | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#fencedWrite(dirty)
        return undefined
      } catch (error) {
        if (!isAboutTheEntry(error)) throw error
        const delay = retryDelaysMs[attempt]
        if (delay === undefined) return error instanceof Error ? error.message : String(error)
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }

  /**
   * Puts or deletes the entry if it is still as read (see the class). A rebuild's fresh buckets have no other
   * writer: plain puts. The cache then holds what the bucket holds.
   */
  async #fencedWrite(dirty: Dirty): Promise<void> {
    const bucket = this.#bucket(dirty.readModel)
    const id = `${dirty.readModel}/${dirty.key}`
    const value = dirty.value === deleted ? undefined : dirty.value
    if (this.options.fresh) {
      if (value !== undefined) await bucket.put(dirty.key, JSON.stringify(value))
      return
    }
    const base = dirty.base ?? { value: undefined, revision: 0 }
    try {
      if (value === undefined) {
        // Nothing there (never written, or deleted already): nothing to delete.
        if (base.value === undefined) return
        await bucket.delete(dirty.key, { previousSeq: base.revision })
        // The delete marker's revision is not returned: the next use reads the entry again.
        this.#cache.delete(id)
      } else {
        const revision = await bucket.put(dirty.key, JSON.stringify(value), { previousSeq: base.revision })
        this.#cache.set(id, { value, revision })
      }
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error
      const stored = await this.#read(dirty.readModel, dirty.key)
      this.#cache.set(id, stored)
      if (alreadyHolds(stored.value, value)) {
        this.skipped++
        return
      }
      // A key assumed new holds an older state of itself: written by a fold of these same messages that died
      // (or lost its lease) before acking them, which this replay does not know is one (a note list's new page
      // is named after the event that made it, so every replay of that event makes the same key). Stopping here
      // would stop every replay at the same place; the write is further on, so it replaces the leftover,
      // fenced on its revision like any other write. Anything else is another writer: stop.
      if (base !== assumedAbsent || value === undefined || !isOlder(stored.value, value))
        throw new LostRace(id)
      try {
        const revision = await bucket.put(dirty.key, JSON.stringify(value), { previousSeq: stored.revision })
        this.#cache.set(id, { value, revision })
      } catch (again) {
        if (isWrongLastSequence(again)) throw new LostRace(id)
        throw again
      }
    }
  }

  #bucket(readModel: ReadModelName): KV {
    const bucket = this.buckets[readModel]
    if (bucket === undefined) throw new Error(`no bucket for read model ${readModel}`)
    return bucket
  }
}

/**
 * Whether an entry that holds `stored` needs no write of `wanted`: it holds it already (another runner folded
 * the same events), or something newer (its fold position, `seq`, is further on), or both are nothing.
 */
const alreadyHolds = (stored: unknown, wanted: unknown): boolean => {
  if (wanted === undefined || stored === undefined) return wanted === stored
  if (JSON.stringify(stored) === JSON.stringify(wanted)) return true
  const storedSeq = seqOf(stored)
  const wantedSeq = seqOf(wanted)
  return storedSeq !== undefined && wantedSeq !== undefined && storedSeq > wantedSeq
}

/** Whether `stored` is an earlier state than `wanted`, by their fold positions. */
const isOlder = (stored: unknown, wanted: unknown): boolean => {
  const storedSeq = seqOf(stored)
  const wantedSeq = seqOf(wanted)
  return storedSeq !== undefined && wantedSeq !== undefined && storedSeq < wantedSeq
}

const seqOf = (value: unknown): number | undefined => {
  if (typeof value !== 'object' || value === null || !('seq' in value)) return undefined
  return typeof value.seq === 'number' ? value.seq : undefined
}

/**
 * Failures that say nothing about the entry: the connection, the server or JetStream is unavailable, or the
 * bucket is gone. Everything else (a value over max_payload or the stream's message size, a refused write)
 * would fail the same way again, so it is the entry's own.
 */
const notAboutTheEntry = new Set([
  'TimeoutError',
  'NoResponders',
  // What nats.js throws for a publish no server answered: on a cluster, a bucket's stream between two leaders
  // (seconds after its leader's server died); on any server, a bucket that is gone.
  'JetStreamNotEnabled',
  'RequestError',
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ProtocolError',
])
const unavailableApiCodes = new Set([
  10023, // insufficient resources
  10039, // JetStream not enabled
  10059, // stream not found
  10008, // JetStream not enabled for account
])

const isAboutTheEntry = (error: unknown): boolean => {
  if (!(error instanceof Error) || error instanceof LostRace) return false
  if (error instanceof JetStreamApiError) return !unavailableApiCodes.has(error.code)
  return !notAboutTheEntry.has(error.name)
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
const inParallel = async <Item>(
  items: readonly Item[],
  concurrency: number,
  work: (item: Item) => Promise<void>,
): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++] as Item)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
