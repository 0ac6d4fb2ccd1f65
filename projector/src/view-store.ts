import type { ReadModelName } from '@jetnotes/schemas'
import { JetStreamApiError } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { LRUCache } from 'lru-cache'

/**
 * How a write is ordered and grouped. Stages are written in ascending order (each stage completes before the
 * next starts; deletions come last), so an entry that names another is written after it. A unit is a set of
 * entries that only make sense together (one user's list): if one of its writes fails for good, none of the
 * unit's later writes go out, and the unit is reported, not the whole batch.
 */
export type WriteOptions = { stage?: number; unit?: string }

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

type Dirty = { readModel: ReadModelName; key: string; value: unknown; stage: number; unit: string }

const deleted = Symbol('deleted')
const lastStage = Number.MAX_SAFE_INTEGER

/**
 * The projector's working set over one generation of read models. Reads go to a cache, then to KV; writes stay
 * in memory until `flush` puts them, stage by stage, before the batch's messages are acked. The projector is
 * the only writer of its buckets, so the cache is exact.
 *
 * `fresh: true` (a rebuild into new, empty buckets) never reads KV and keeps everything until flushed.
 */
export class ViewStore implements Views {
  readonly #dirty = new Map<string, Dirty>()
  readonly #cache = new LRUCache<string, { value: unknown }>({ max: 50_000 })
  /** Units given up before: a write of theirs that fails again is given up at once, without holding the batch. */
  readonly #failing = new Set<string>()

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

  set(readModel: ReadModelName, key: string, value: unknown, options: WriteOptions = {}): void {
    const id = `${readModel}/${key}`
    this.#dirty.set(id, { readModel, key, value, stage: options.stage ?? 1, unit: options.unit ?? id })
  }

  delete(readModel: ReadModelName, key: string, options: WriteOptions = {}): void {
    const id = `${readModel}/${key}`
    // A rebuild writes once, at the end, into empty buckets: an entry it deletes was never written.
    if (this.options.fresh) this.#dirty.delete(id)
    else this.#dirty.set(id, { readModel, key, value: deleted, stage: lastStage, unit: options.unit ?? id })
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
        if (!this.options.fresh)
          this.#cache.set(id, { value: dirty.value === deleted ? undefined : dirty.value })
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

  /** Writes one entry; returns why it cannot be written, or throws when the failure is not the entry's. */
  async #write(dirty: Dirty, retryDelaysMs: readonly number[]): Promise<string | undefined> {
    const bucket = this.#bucket(dirty.readModel)
    for (let attempt = 0; ; attempt++) {
      try {
        if (dirty.value === deleted) await bucket.delete(dirty.key)
        else await bucket.put(dirty.key, JSON.stringify(dirty.value))
        return undefined
      } catch (error) {
        if (!isAboutTheEntry(error)) throw error
        const delay = retryDelaysMs[attempt]
        if (delay === undefined) return error instanceof Error ? error.message : String(error)
        await new Promise((resolve) => setTimeout(resolve, delay))
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
  if (!(error instanceof Error)) return false
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
