import { type ConnectionWatch, NatsDisconnectedError } from '@jetnotes/platform'
import {
  type ActiveGeneration,
  bucketName,
  metaBucket,
  metaKeys,
  type ProjectionName,
  type ProjectionPosition,
  projectionNames,
  projections,
  type ReadModelName,
  readModelsOfShape,
  shapeOf,
} from '@jetnotes/schemas'
import type { JetStreamClient } from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'
import type { Logger } from 'pino'
import { legacyNoteLists } from './legacy-note-index.ts'
import type { StreamHeads } from './stream-heads.ts'
import { type CacheReads, type ViewReader, WatchedBucket } from './watched-bucket.ts'

/** The read models of the live generations, as one request sees them from start to end. */
export type ReadView = Readonly<Record<ReadModelName, ViewReader>> & {
  generations: Readonly<Record<ProjectionName, number>>
}

export type ReadModelsOptions = {
  /** Memory for the cache of each read-model bucket, in bytes; 0 reads every entry from its bucket. */
  cacheBytesPerBucket: number
  /** While it says NATS is away, a read the caches cannot answer is refused at once (503), not after a timeout. */
  connection?: ConnectionWatch
  /** Where each read model's cache counts its hits and misses. */
  cacheReads?: (readModel: string) => CacheReads
}

/** Where the views a request reads stand against their stream, now. */
export type ViewStanding = {
  /** Every event up to this stream sequence is in the views read. */
  position: number
  /** The stream's last sequence, as this process last saw it. */
  streamSeq: number
  /** Events in the stream that the views do not hold yet: `streamSeq - position`, or 0. */
  lag: number
}

type Waiter = { projection: ProjectionName; seq: number; resolve: (reached: boolean) => void }

/**
 * The query side's window on the projections. It follows the meta bucket (one KV watch per process): which
 * generation of each projection is live, and how far each has got. Requests take a `ReadView` when they start
 * and read only through it, so a rebuild that switches generations mid-request cannot mix old and new state.
 * Buckets are opened with direct get, so any replica can answer a read. Each live bucket also has a cache kept
 * current by a KV watch (`WatchedBucket`): eventually consistent reads come from it, reads that must include a
 * given write (`view({ fresh: true })`) from the bucket.
 */
export class ReadModels {
  readonly #active = new Map<ProjectionName, number>()
  /** The shape of each generation's read models (`<projection>.g<n>`), from its pointer. */
  readonly #shapes = new Map<string, number>()
  /** The newest generation the pointer has named, which may still be opening. */
  readonly #wanted = new Map<ProjectionName, number>()
  readonly #positions = new Map<string, ProjectionPosition>()
  readonly #buckets = new Map<string, KV>()
  readonly #cached = new Map<string, WatchedBucket>()
  readonly #waiters = new Set<Waiter>()
  /** The views handed to requests, built once per change of generation or cache (every read asks for one). */
  #views: { cached?: ReadView; fresh?: ReadView } = {}
  #stopWatching: (() => void) | undefined
  #meta: KV | undefined

  constructor(
    private readonly js: JetStreamClient,
    private readonly heads: Pick<StreamHeads, 'read'>,
    private readonly logger: Logger,
    private readonly options: ReadModelsOptions = { cacheBytesPerBucket: 0 },
  ) {}

  /** Starts following the meta bucket. Resolves once every projection has a live generation. */
  async start(timeoutMs = 60_000): Promise<void> {
    const kvm = new Kvm(this.js)
    const deadline = Date.now() + timeoutMs
    let meta: KV | undefined
    while (meta === undefined) {
      // The projector creates the meta bucket and the first generations; wait for it on a fresh system.
      meta = await kvm.open(metaBucket).then(
        async (bucket) => ((await bucket.status().catch(() => undefined)) ? bucket : undefined),
        () => undefined,
      )
      if (meta === undefined) await this.#pause(deadline, 'the projections meta bucket')
    }
    this.#meta = meta
    const watch = await meta.watch({ key: '>' })
    this.#stopWatching = () => watch.stop()
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') continue
        this.#record(entry.key, entry.json<unknown>())
      }
    })().catch((error: unknown) => this.logger.error({ err: error }, 'lost the projections watch'))
    for (const projection of projectionNames) {
      while (!this.#active.has(projection)) {
        const entry = await meta.get(metaKeys.active(projection))
        if (entry?.operation === 'PUT') await this.#activate(projection, entry.json<ActiveGeneration>())
        else await this.#pause(deadline, `a live generation of the ${projection} projection`)
      }
    }
  }

  stop(): void {
    this.#stopWatching?.()
    for (const cached of this.#cached.values()) cached.stop()
    this.#cached.clear()
    this.#views = {}
    for (const waiter of this.#waiters) waiter.resolve(false)
    this.#waiters.clear()
  }

  /**
   * The read models of the generations live right now. `fresh` reads the buckets themselves: a read after
   * waiting for a Consistency-Token must see what the bucket holds, which the caches get a moment later.
   */
  view(options: { fresh?: boolean } = {}): ReadView {
    const kind = options.fresh ? 'fresh' : 'cached'
    this.#views[kind] ??= this.#buildView(options.fresh ?? false)
    return this.#views[kind]
  }

  #buildView(fresh: boolean): ReadView {
    const generations = Object.fromEntries(
      projectionNames.map((name) => [name, this.#generation(name)]),
    ) as Record<ProjectionName, number>
    const buckets = Object.fromEntries(
      projectionNames.flatMap((projection) =>
        projections[projection].readModels.map((readModel) => [
          readModel,
          this.#readerOf(projection, readModel, generations[projection], fresh),
        ]),
      ),
    ) as Record<ReadModelName, ViewReader>
    return Object.freeze({ ...buckets, generations })
  }

  /** A read model of a generation; of an older shape (an upgrade is under way), through its adapter. */
  #readerOf(projection: ProjectionName, readModel: ReadModelName, generation: number, fresh: boolean) {
    const stored = this.#readModelsOf(projection, generation)
    if (stored.includes(readModel)) return this.#reader(bucketName(readModel, generation), fresh)
    if (readModel === 'note-lists' && stored.includes('note-index'))
      return legacyNoteLists(this.#reader(bucketName('note-index', generation), fresh))
    throw new Error(`generation ${generation} of ${projection} has no ${readModel} read model`)
  }

  #readModelsOf(projection: ProjectionName, generation: number) {
    const shape = this.#shapes.get(`${projection}.g${generation}`) ?? projections[projection].shape
    return readModelsOfShape(projection, shape)
  }

  /** Asks the server for each live bucket (readiness): throws when one is missing. */
  async checkBuckets(): Promise<void> {
    const generations = projectionNames.map((name) => [name, this.#generation(name)] as const)
    await Promise.all(
      generations.flatMap(([projection, generation]) =>
        this.#readModelsOf(projection, generation).map((readModel) =>
          this.#bucket(bucketName(readModel, generation)).status(),
        ),
      ),
    )
  }

  /** How far the live generation of a projection has got. */
  position(projection: ProjectionName): ProjectionPosition | undefined {
    const generation = this.#active.get(projection)
    return generation === undefined
      ? undefined
      : this.#positions.get(metaKeys.position(projection, generation))
  }

  /**
   * How far behind its stream the live generation of a projection is, as a request reads it: `fresh`, the
   * buckets themselves (where the projector's last report says they are); otherwise the caches, each at the last
   * position marker its watch delivered (a moment behind the buckets). A projection's read models are read
   * together, so the oldest of them speaks for all. The stream's end is what this process last saw of it.
   */
  standing(projection: ProjectionName, options: { fresh?: boolean } = {}): ViewStanding {
    const applied = this.position(projection)?.seq ?? 0
    const generation = this.#active.get(projection)
    const position =
      options.fresh || generation === undefined
        ? applied
        : Math.min(
            ...this.#readModelsOf(projection, generation).map(
              (readModel) => this.#cached.get(bucketName(readModel, generation))?.position ?? applied,
            ),
          )
    const streamSeq = this.heads.read(projections[projection].stream).seq
    return { position, streamSeq, lag: Math.max(0, streamSeq - position) }
  }

  /** Resolves true once the live generation includes `seq`, or false after `timeoutMs`. */
  waitFor(projection: ProjectionName, seq: number, timeoutMs: number): Promise<boolean> {
    if ((this.position(projection)?.seq ?? 0) >= seq) return Promise.resolve(true)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        projection,
        seq,
        resolve: (reached) => {
          clearTimeout(timer)
          this.#waiters.delete(waiter)
          resolve(reached)
        },
      }
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs)
      this.#waiters.add(waiter)
    })
  }

  #record(key: string, value: unknown) {
    const [kind, projection] = key.split('.') as [string, ProjectionName]
    if (kind === 'active') {
      void this.#activate(projection, value as ActiveGeneration)
    } else if (kind === 'position') {
      this.#positions.set(key, value as ProjectionPosition)
      this.#wake()
    }
  }

  /** Opens the buckets of a generation, then makes it the one new requests read. */
  async #activate(projection: ProjectionName, pointer: ActiveGeneration) {
    const { generation } = pointer
    if (this.#active.get(projection) === generation) return
    this.#wanted.set(projection, generation)
    this.#shapes.set(`${projection}.g${generation}`, shapeOf(pointer))
    const kvm = new Kvm(this.js)
    const applied = await this.#reported(projection, generation)
    await Promise.all(
      this.#readModelsOf(projection, generation).map(async (readModel) => {
        const name = bucketName(readModel, generation)
        if (!this.#buckets.has(name)) this.#buckets.set(name, await kvm.open(name, { allow_direct: true }))
        await this.#startCache(name, readModel, applied)
      }),
    )
    const previous = this.#active.get(projection)
    // The meta watch and start() may both activate the same generation: only the first switch counts.
    if (this.#wanted.get(projection) !== generation || previous === generation) return
    this.#active.set(projection, generation)
    this.#views = {}
    // Requests that took a view of the old generation read its buckets directly until they finish.
    if (previous !== undefined) this.#stopCaches(projection, previous)
    this.logger.info({ projection, generation }, 'reading generation')
    this.#wake()
  }

  /** Where the projector last reported a generation, read now (the meta watch may not have delivered it yet). */
  async #reported(projection: ProjectionName, generation: number): Promise<number> {
    const key = metaKeys.position(projection, generation)
    const entry = await this.#meta?.get(key).catch(() => null)
    const read = entry?.operation === 'PUT' ? entry.json<ProjectionPosition>().seq : 0
    return Math.max(read, this.#positions.get(key)?.seq ?? 0)
  }

  #wake() {
    for (const waiter of this.#waiters) {
      if ((this.position(waiter.projection)?.seq ?? 0) >= waiter.seq) waiter.resolve(true)
    }
  }

  #generation(projection: ProjectionName): number {
    const generation = this.#active.get(projection)
    if (generation === undefined) throw new Error(`no live generation of ${projection}`)
    return generation
  }

  /** `applied`: where the projector last reported this generation, which the bucket already holds. */
  async #startCache(name: string, readModel: string, applied = 0) {
    if (this.options.cacheBytesPerBucket === 0 || this.#cached.has(name)) return
    const cached = new WatchedBucket(
      this.#bucket(name),
      this.options.cacheBytesPerBucket,
      this.logger,
      this.#reachable,
      this.options.cacheReads?.(readModel),
    )
    // Registered before its watch starts (until then it reads the bucket), so a concurrent start finds it.
    this.#cached.set(name, cached)
    this.#views = {}
    try {
      await cached.start(applied)
    } catch (error) {
      this.#cached.delete(name)
      this.#views = {}
      // Without its cache a bucket still answers every read, one round trip each.
      this.logger.warn(
        { err: error, bucket: name },
        'could not watch a read-model bucket; reading it directly',
      )
    }
  }

  #stopCaches(projection: ProjectionName, generation: number) {
    for (const readModel of this.#readModelsOf(projection, generation)) {
      const name = bucketName(readModel, generation)
      this.#cached.get(name)?.stop()
      this.#cached.delete(name)
      this.#views = {}
    }
  }

  #reader(name: string, fresh: boolean): ViewReader {
    const cached = fresh ? undefined : this.#cached.get(name)
    if (cached !== undefined) return cached
    const bucket = this.#bucket(name)
    return {
      get: (key) => (this.#reachable() ? bucket.get(key) : Promise.reject(new NatsDisconnectedError())),
    }
  }

  readonly #reachable = () => this.options.connection?.connected ?? true

  #bucket(name: string): KV {
    const bucket = this.#buckets.get(name)
    if (bucket === undefined) throw new Error(`bucket ${name} is not open`)
    return bucket
  }

  async #pause(deadline: number, what: string) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; is the projector running?`)
    this.logger.info(`waiting for ${what} (the projector creates it)`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
