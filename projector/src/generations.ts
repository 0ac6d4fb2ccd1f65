import { ensureBucket } from '@jetnotes/platform'
import {
  type ActiveGeneration,
  bucketName,
  consumerDescription,
  consumerName,
  metaBucket,
  metaKeys,
  olderShapes,
  type ProjectionName,
  type ProjectionPosition,
  parkedBucket,
  projections,
  type ReadModelName,
  unslottedConsumerName,
} from '@jetnotes/schemas'
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'
import type { Logger } from 'pino'
import { ForwardOnly } from './forward-only.ts'

const secondsInNanos = 1_000_000_000

/**
 * The generations of each projection: their buckets, the durable consumer that feeds them, how far they have
 * got, and the pointer in the meta bucket that says which one the query-service reads.
 */
export class Generations {
  readonly #positions: ForwardOnly

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly meta: KV,
    readonly parked: KV,
    private readonly replicas: number,
    private readonly logger: Logger,
  ) {
    this.#positions = new ForwardOnly(meta)
  }

  static async open(js: JetStreamClient, jsm: JetStreamManager, replicas: number, logger: Logger) {
    const [meta, parked] = await Promise.all([
      ensureBucket(js, jsm, metaBucket, { replicas }),
      ensureBucket(js, jsm, parkedBucket, { replicas }),
    ])
    return new Generations(js, jsm, meta, parked, replicas, logger)
  }

  async active(projection: ProjectionName): Promise<number | undefined> {
    return (await this.pointer(projection))?.generation
  }

  /** The pointer to the live generation: which one, since when, and the shape of its read models. */
  async pointer(projection: ProjectionName): Promise<ActiveGeneration | undefined> {
    const entry = await this.meta.get(metaKeys.active(projection))
    return entry?.operation === 'PUT' ? entry.json<ActiveGeneration>() : undefined
  }

  /** The live generation; on first start, generation 1, created empty to fold the log from the beginning. */
  async ensureActive(projection: ProjectionName): Promise<number> {
    const active = await this.active(projection)
    if (active !== undefined) return active
    await this.createBuckets(projection, 1)
    await this.createConsumer(projection, 1, 1)
    try {
      await this.meta.create(metaKeys.active(projection), pointer(projection, 1))
      this.logger.info({ projection, generation: 1 }, 'projection initialised')
    } catch {
      // Another projector initialised it at the same moment.
    }
    const settled = await this.active(projection)
    if (settled === undefined) throw new Error(`could not initialise projection ${projection}`)
    return settled
  }

  /** Creates (or opens) the buckets of a generation. The query side reads them with direct get. */
  async createBuckets(projection: ProjectionName, generation: number): Promise<Record<ReadModelName, KV>> {
    const buckets = await Promise.all(
      projections[projection].readModels.map(
        async (readModel) =>
          [
            readModel,
            await ensureBucket(this.js, this.jsm, bucketName(readModel, generation), {
              replicas: this.replicas,
              direct: true,
            }),
          ] as const,
      ),
    )
    return Object.fromEntries(buckets) as Record<ReadModelName, KV>
  }

  /**
   * Opens a generation's buckets for the projector. Without `allow_direct`, reads go to the stream leader, so
   * the projector always reads its own writes.
   */
  async openBuckets(projection: ProjectionName, generation: number): Promise<Record<ReadModelName, KV>> {
    const kvm = new Kvm(this.js)
    const buckets = await Promise.all(
      projections[projection].readModels.map(
        async (readModel) =>
          [readModel, await kvm.open(bucketName(readModel, generation), { allow_direct: false })] as const,
      ),
    )
    return Object.fromEntries(buckets) as Record<ReadModelName, KV>
  }

  /**
   * Creates the durable consumer of a generation, delivering from `startSeq`. Its name is a slot that an old
   * generation may still hold (one neither live nor being built, whose buckets may be in their grace period):
   * that consumer is no longer read by anyone, so it goes.
   */
  async createConsumer(projection: ProjectionName, generation: number, startSeq: number) {
    const { stream } = projections[projection]
    await this.jsm.consumers.delete(stream, consumerName(projection, generation)).catch(ignoreNotFound)
    await this.jsm.consumers
      .delete(stream, unslottedConsumerName(projection, generation))
      .catch(ignoreNotFound)
    await this.jsm.consumers.add(stream, {
      durable_name: consumerName(projection, generation),
      description: consumerDescription(projection, generation),
      ack_policy: AckPolicy.Explicit,
      ack_wait: 30 * secondsInNanos,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, startSeq),
      replay_policy: ReplayPolicy.Instant,
      max_ack_pending: 4096,
    })
  }

  /**
   * The generation's consumer, positioned so the next message is the first one not yet acknowledged, and the
   * stream sequence it delivers first. The projector acks in order, after the writes, so everything up to the
   * ack floor is in the read models. Messages delivered but not acked (the projector died mid-batch, or a
   * paused one pulled them) would come back only after the ack wait, behind newer ones; recreating the
   * consumer at the floor replays them first, in order. Re-folding them is harmless.
   */
  async consumerAtAckFloor(
    projection: ProjectionName,
    generation: number,
  ): Promise<{ consumer: Consumer; first: number }> {
    const { stream } = projections[projection]
    const name = consumerName(projection, generation)
    const position = (await this.position(projection, generation))?.seq ?? 0
    let first: number
    try {
      const info = await this.jsm.consumers.info(stream, name)
      first = info.delivered.stream_seq + 1
      if (info.config.description !== consumerDescription(projection, generation)) {
        // The slot is held by another generation's consumer (or one from before slots): start from the position.
        await this.createConsumer(projection, generation, position + 1)
        first = position + 1
      } else if (info.num_ack_pending > 0) {
        const floor = Math.max(info.ack_floor.stream_seq, position)
        this.logger.warn(
          { projection, generation, floor },
          'unacknowledged messages: resuming from the ack floor',
        )
        await this.jsm.consumers.delete(stream, name)
        await this.createConsumer(projection, generation, floor + 1)
        first = floor + 1
      }
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound))
        throw error
      await this.createConsumer(projection, generation, position + 1)
      first = position + 1
    }
    return { consumer: await this.js.consumers.get(stream, name), first }
  }

  /** Whether the projection's stream holds a message at `seq` (the event log refuses deletes: normally yes). */
  async holds(projection: ProjectionName, seq: number): Promise<boolean> {
    try {
      await this.jsm.streams.getMessage(projections[projection].stream, { seq })
      return true
    } catch (error) {
      if (error instanceof JetStreamApiError && error.status === 404) return false
      throw error
    }
  }

  /** The last sequence of the projection's stream now. */
  async lastSeq(projection: ProjectionName): Promise<number> {
    return (await this.jsm.streams.info(projections[projection].stream)).state.last_seq
  }

  async position(projection: ProjectionName, generation: number): Promise<ProjectionPosition | undefined> {
    const entry = await this.meta.get(metaKeys.position(projection, generation))
    return entry?.operation === 'PUT' ? entry.json<ProjectionPosition>() : undefined
  }

  /** Records how far a generation has got; never backwards (two projectors may report at once, for a moment). */
  async setPosition(projection: ProjectionName, generation: number, position: ProjectionPosition) {
    await this.#positions.advance(metaKeys.position(projection, generation), position)
  }

  /** Makes `to` the live generation, unless someone else switched it since `from` was read. */
  async activate(projection: ProjectionName, from: number, to: number): Promise<void> {
    const entry = await this.meta.get(metaKeys.active(projection))
    const current = entry?.operation === 'PUT' ? entry.json<ActiveGeneration>().generation : undefined
    if (entry === null || current !== from) {
      throw new Error(`projection ${projection} moved to generation ${current} during the rebuild`)
    }
    await this.meta.update(metaKeys.active(projection), pointer(projection, to), entry.revision)
  }

  /** Removes a generation's consumer, unless a newer generation has taken its slot meanwhile. */
  async #deleteConsumerOf(projection: ProjectionName, generation: number) {
    const { stream } = projections[projection]
    const name = consumerName(projection, generation)
    const info = await this.jsm.consumers.info(stream, name).catch(ignoreNotFound)
    if (info?.config.description === consumerDescription(projection, generation)) {
      await this.jsm.consumers.delete(stream, name).catch(ignoreNotFound)
    }
    await this.jsm.consumers
      .delete(stream, unslottedConsumerName(projection, generation))
      .catch(ignoreNotFound)
  }

  /** Removes a generation, of whatever shape: its consumer, its buckets, its position. */
  async drop(projection: ProjectionName, generation: number): Promise<void> {
    const { readModels } = projections[projection]
    await this.#deleteConsumerOf(projection, generation)
    const everyShape = new Set([...readModels, ...Object.values(olderShapes[projection]).flat()])
    for (const readModel of everyShape) {
      await this.jsm.streams.delete(`KV_${bucketName(readModel, generation)}`).catch(ignoreNotFound)
    }
    await this.meta.delete(metaKeys.position(projection, generation))
    this.#positions.forget(metaKeys.position(projection, generation))
  }

  /** Yields the live generation now and whenever it changes, until `signal` aborts. */
  async *watchActive(projection: ProjectionName, signal?: AbortSignal): AsyncGenerator<number> {
    const watch = await this.meta.watch({ key: metaKeys.active(projection) })
    // A runner that stops (a projector gives a projection up, and may take it again) ends its watch.
    if (signal?.aborted) watch.stop()
    signal?.addEventListener('abort', () => watch.stop(), { once: true })
    for await (const entry of watch) {
      if (entry.operation === 'PUT') yield entry.json<ActiveGeneration>().generation
    }
  }
}

/** A pointer to a generation built by this code, so of the current shape. */
const pointer = (projection: ProjectionName, generation: number) =>
  JSON.stringify({
    generation,
    since: new Date().toISOString(),
    shape: projections[projection].shape,
  } satisfies ActiveGeneration)

const ignoreNotFound = (error: unknown) => {
  if (error instanceof JetStreamApiError && error.status === 404) return
  throw error
}
