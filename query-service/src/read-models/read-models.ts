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
} from '@jetnotes/schemas'
import type { JetStreamClient } from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'
import type { Logger } from 'pino'

/** The read models of the live generations, as one request sees them from start to end. */
export type ReadView = Readonly<Record<ReadModelName, KV>> & {
  generations: Readonly<Record<ProjectionName, number>>
}

type Waiter = { projection: ProjectionName; seq: number; resolve: (reached: boolean) => void }

/**
 * The query side's window on the projections. It follows the meta bucket (one KV watch per process): which
 * generation of each projection is live, and how far each has got. Requests take a `ReadView` when they start
 * and read only through it, so a rebuild that switches generations mid-request cannot mix old and new state.
 * Buckets are opened with direct get, so any replica can answer a read.
 */
export class ReadModels {
  readonly #active = new Map<ProjectionName, number>()
  /** The newest generation the pointer has named, which may still be opening. */
  readonly #wanted = new Map<ProjectionName, number>()
  readonly #positions = new Map<string, ProjectionPosition>()
  readonly #buckets = new Map<string, KV>()
  readonly #waiters = new Set<Waiter>()
  #stopWatching: (() => void) | undefined

  constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
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
        if (entry?.operation === 'PUT')
          await this.#activate(projection, entry.json<ActiveGeneration>().generation)
        else await this.#pause(deadline, `a live generation of the ${projection} projection`)
      }
    }
  }

  stop(): void {
    this.#stopWatching?.()
    for (const waiter of this.#waiters) waiter.resolve(false)
    this.#waiters.clear()
  }

  /** The read models of the generations live right now. */
  view(): ReadView {
    const generations = Object.fromEntries(
      projectionNames.map((name) => [name, this.#generation(name)]),
    ) as Record<ProjectionName, number>
    const buckets = Object.fromEntries(
      projectionNames.flatMap((projection) =>
        projections[projection].readModels.map((readModel) => [
          readModel,
          this.#bucket(bucketName(readModel, generations[projection])),
        ]),
      ),
    ) as Record<ReadModelName, KV>
    return { ...buckets, generations }
  }

  /** How far the live generation of a projection has got. */
  position(projection: ProjectionName): ProjectionPosition | undefined {
    const generation = this.#active.get(projection)
    return generation === undefined
      ? undefined
      : this.#positions.get(metaKeys.position(projection, generation))
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
      void this.#activate(projection, (value as ActiveGeneration).generation)
    } else if (kind === 'position') {
      this.#positions.set(key, value as ProjectionPosition)
      this.#wake()
    }
  }

  /** Opens the buckets of a generation, then makes it the one new requests read. */
  async #activate(projection: ProjectionName, generation: number) {
    if (this.#active.get(projection) === generation) return
    this.#wanted.set(projection, generation)
    const kvm = new Kvm(this.js)
    await Promise.all(
      projections[projection].readModels.map(async (readModel) => {
        const name = bucketName(readModel, generation)
        if (!this.#buckets.has(name)) this.#buckets.set(name, await kvm.open(name, { allow_direct: true }))
      }),
    )
    if (this.#wanted.get(projection) !== generation) return
    this.#active.set(projection, generation)
    this.logger.info({ projection, generation }, 'reading generation')
    this.#wake()
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
