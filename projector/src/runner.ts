import {
  type InvalidMessage,
  inSpan,
  type LogMessage,
  reportInvalidMessagesTo,
  traceContextOf,
  tracerOf,
} from '@jetnotes/platform'
import { type ParkedEvent, type ParkedWrite, parkedKeys } from '@jetnotes/schemas'
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream'
import { SpanKind } from '@opentelemetry/api'
import type { Logger } from 'pino'
import { arrivedBatches } from './arrived-batches.ts'
import { batchParentOf } from './batch-parent.ts'
import type { Generations } from './generations.ts'
import { alwaysHeld, type Fence } from './lease.ts'
import type { ProjectorMetrics } from './metrics.ts'
import { markPosition } from './position-marker.ts'
import type { FoldContext, Projection } from './projections/projection.ts'
import { LostRace, ViewStore, type Views } from './view-store.ts'

export type RunnerOptions = {
  /** Most messages folded before one flush of the writes and one round of acks. */
  batchSize?: number
  /** Where the runner counts what it folds and parks (none: not counted). */
  metrics?: ProjectorMetrics
}

/** The runner may no longer fold: its lease is gone, or another runner wrote what it was about to. */
class Fenced extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'Fenced'
  }
}

/**
 * A message went to someone else: the consumer delivered a later one than the next in the log. Another runner
 * pulls from the same consumer (a paused holder waking up), or a delivery was lost; either way, what was
 * skipped comes back only after the ack wait, behind newer messages, so the fold resumes from the ack floor
 * instead of folding out of order.
 */
class DeliveryGap extends Error {
  constructor(expected: number, delivered: number) {
    super(`expected stream sequence ${expected}, got ${delivered}`)
    this.name = 'DeliveryGap'
  }
}

const tracer = tracerOf('projector')

/** How long one pull waits at the server for messages (its idle heartbeats come twice as often). */
const pullExpiresMs = 5_000

/**
 * Runs one projection: folds the messages of its live generation's durable consumer into that generation's
 * read models, in order, and follows the pointer when a rebuild switches generations.
 *
 * Per batch: fold every message into the working set, write the changed entries, then ack the messages, then
 * record the position. A crash anywhere in between leaves messages unacked; they are folded again, which
 * changes nothing that was already written, because every entry records the position it reflects.
 *
 * Only while `fence` holds (the process holds the projection's lease): it is asked before each batch and again
 * before its acks. The writes are fenced too (see `ViewStore`); a runner that finds it lost its lease or a race
 * for an entry stops by itself, and `fenced` resolves with why.
 */
export class ProjectionRunner {
  #generation: number | undefined
  #messages: ConsumerMessages | undefined
  #running: Promise<void> | undefined
  #stopped = false
  /** Set while the runner leaves its generation (a stop, or a switch): the run ends at its next step. */
  #leaving = false
  /** Ends what runs beside the fold (the pointer's watch) once the runner stops. */
  readonly #ended = new AbortController()
  readonly #batchSize: number
  readonly #metrics: ProjectorMetrics | undefined
  #onFenced: (reason: string) => void = () => {}
  /** Resolves, with why, if the runner stops by itself because it may no longer fold. */
  readonly fenced: Promise<string>

  constructor(
    private readonly projection: Projection,
    private readonly generations: Generations,
    private readonly logger: Logger,
    options: RunnerOptions = {},
    private readonly fence: Fence = alwaysHeld,
  ) {
    this.#batchSize = options.batchSize ?? 256
    this.#metrics = options.metrics
    this.fenced = new Promise((resolve) => {
      this.#onFenced = resolve
    })
  }

  async start(): Promise<void> {
    const generation = await this.generations.ensureActive(this.projection.name)
    this.#follow(generation)
    void (async () => {
      for await (const active of this.generations.watchActive(this.projection.name, this.#ended.signal)) {
        if (this.#stopped) return
        if (active !== this.#generation) {
          this.logger.info({ projection: this.projection.name, generation: active }, 'switching generation')
          this.#leaving = true
          this.#messages?.stop()
          await this.#running
          this.#leaving = false
          this.#follow(active)
        }
      }
    })().catch((error: unknown) => this.logger.error({ err: error }, 'lost the generation pointer watch'))
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#leaving = true
    this.#ended.abort()
    this.#messages?.stop()
    await this.#running
  }

  #follow(generation: number) {
    this.#generation = generation
    this.#running = this.#run(generation)
  }

  async #run(generation: number): Promise<void> {
    let backoffMs = 250
    while (!this.#stopped && this.#generation === generation) {
      try {
        this.#checkFence()
        const views = new ViewStore(await this.generations.openBuckets(this.projection.name, generation))
        // Anything in the stream now may have been folded by a run that died before acking it; what is
        // appended later can only be new (one projector holds a projection; the fenced writes catch the
        // moments when a paused one wakes up).
        const foldedBefore = await this.generations.lastSeq(this.projection.name)
        const { consumer, first } = await this.generations.consumerAtAckFloor(
          this.projection.name,
          generation,
        )
        // Short pulls: a pull waiting at a consumer leader that died (a node lost on a cluster) is noticed
        // after two missed idle heartbeats (half of `expires` each) and made again at the new leader: 5 s
        // instead of the default's 30 s and more, while the projection falls behind.
        const messages = await consumer.consume({ max_messages: this.#batchSize * 2, expires: pullExpiresMs })
        this.#messages = messages
        // A stop or a switch that came while the consumer was being set up stopped the previous messages, not
        // these: without this the run would go on folding (and a stop would wait for it forever).
        if (this.#leaving) messages.stop()
        let next = first
        for await (const batch of arrivedBatches(messages, this.#batchSize)) {
          this.#checkFence()
          next = await this.#inOrder(batch, next)
          await this.#process(batch, views, generation, foldedBefore)
          backoffMs = 250
        }
        return
      } catch (error) {
        if (this.#stopped || this.#generation !== generation) return
        this.#messages?.stop()
        const fenced = error instanceof LostRace ? new Fenced(error.message) : error
        if (fenced instanceof Fenced) {
          this.logger.warn(
            { projection: this.projection.name, reason: fenced.reason },
            'stopped folding this projection',
          )
          this.#stopped = true
          this.#ended.abort()
          this.#onFenced(fenced.reason)
          return
        }
        if (error instanceof DeliveryGap) {
          this.logger.warn(
            { projection: this.projection.name, reason: error.message },
            'a message went to another consumer; resuming from the ack floor',
          )
          await new Promise((resolve) => setTimeout(resolve, 20))
          continue
        }
        this.logger.error(
          { err: error, projection: this.projection.name },
          'projection failed; resuming from the ack floor',
        )
        await new Promise((resolve) => setTimeout(resolve, backoffMs))
        backoffMs = Math.min(backoffMs * 2, 10_000)
      }
    }
  }

  /**
   * Checks that the batch goes on from `next`, the log's next message for this fold (a message before it was
   * folded here already: folding it again changes nothing); returns the one after the batch.
   */
  async #inOrder(batch: readonly JsMsg[], next: number): Promise<number> {
    for (const message of batch) {
      // A later one: unless the log no longer has the ones between (removed by hand), someone else got them.
      if (message.seq > next && (await this.generations.holds(this.projection.name, next)))
        throw new DeliveryGap(next, message.seq)
      next = Math.max(next, message.seq + 1)
    }
    return next
  }

  #checkFence() {
    if (!this.fence.holds()) throw new Fenced('the lease is no longer held')
  }

  /**
   * Traced: each message's fold is a child of the span that published it (its trace context is in the message's
   * headers), and the batch's writes and acks are one span: a child of the publish too when the batch holds one
   * trace's messages (the usual case when idle: a message is a batch of its own), otherwise a span of its own
   * linked to each message's publish (a span has one parent; a batch under load serves many requests).
   */
  async #process(batch: JsMsg[], views: ViewStore, generation: number, foldedBefore: number) {
    const startedAt = performance.now()
    const projection = this.projection.name
    const parked: ParkedEvent[] = []
    const prepared = batch.map((message) => ({
      message,
      published: traceContextOf(message),
      fold: this.projection.prepare(message, { first: message.seq > foldedBefore }),
    }))
    await views.prefetch(prepared.flatMap(({ fold }) => (fold.valid ? fold.reads : [])))
    for (const { message, published, fold } of prepared) {
      const attributes = {
        'messaging.system': 'nats',
        'messaging.operation.type': 'process',
        'messaging.destination.name': message.subject,
        'jetnotes.projection': projection,
        'jetnotes.seq': message.seq,
      }
      await inSpan(
        tracer,
        `fold ${projection}`,
        { kind: SpanKind.CONSUMER, parent: published, attributes },
        async () => {
          if (!fold.valid) {
            parked.push(parkedEventOf(this.projection, fold.invalid))
            return
          }
          await fold.apply(views)
          this.logger.debug({ projection, seq: message.seq, correlationId: fold.correlationId }, 'folded')
        },
      )
    }
    const last = batch.at(-1)
    if (last === undefined) return
    const { parent, links } = batchParentOf(prepared.map(({ published }) => published))
    const attributes = {
      'jetnotes.projection': projection,
      'jetnotes.messages': batch.length,
      'jetnotes.seq': last.seq,
    }
    await inSpan(tracer, `write ${projection}`, { parent, links, attributes }, async (span) => {
      span.setAttribute('jetnotes.writes', views.pendingWrites)
      const failedWrites = await views.flush()
      const correlationIds = () => [
        ...new Set(
          prepared.flatMap(({ fold }) => (fold.valid && fold.correlationId ? [fold.correlationId] : [])),
        ),
      ]
      if (views.skipped > 0)
        this.logger.info(
          { projection, skipped: views.skipped, seq: last.seq, correlationIds: correlationIds() },
          'skipped writes another fold had already made (a replay, or a projector that held this one before)',
        )
      this.#checkFence()
      for (const event of parked) {
        await park(this.generations, this.logger, event)
        this.#metrics?.parked.inc({ projection, kind: 'event' })
      }
      for (const failure of failedWrites) {
        this.#metrics?.parked.inc({ projection, kind: 'write' })
        await parkWrite(
          this.generations,
          failure.again ? undefined : this.logger.child({ correlationIds: correlationIds() }),
          {
            kind: 'write',
            projection,
            readModel: failure.readModel,
            key: failure.key,
            seq: last.seq,
            reason: failure.reason,
            at: new Date().toISOString(),
          },
        )
      }
      // Everything below follows the writes and the parking; none of it depends on the others.
      this.#checkFence()
      for (const message of batch) message.ack()
      await Promise.all([
        markPosition(this.generations, projection, generation, last.seq),
        this.generations.setPosition(projection, generation, {
          seq: last.seq,
          streamSeq: last.seq + last.info.pending,
          at: new Date().toISOString(),
        }),
      ])
    })
    this.#metrics?.batch(projection, batch.length, startedAt)
  }
}

/**
 * Folds one message; returns a parked event instead of throwing when the message is poison (it fails
 * `decodeMessage`, the decision every reader of the log shares). Any other error (NATS unavailable) is thrown:
 * the batch is then redelivered.
 */
export const foldMessage = async (
  projection: Projection,
  views: Views,
  message: LogMessage,
  context: FoldContext,
): Promise<ParkedEvent | undefined> => {
  const fold = projection.prepare(message, context)
  if (!fold.valid) return parkedEventOf(projection, fold.invalid)
  await fold.apply(views)
  return undefined
}

const parkedEventOf = (projection: Projection, invalid: InvalidMessage): ParkedEvent => ({
  projection: projection.name,
  ...invalid,
  at: new Date().toISOString(),
})

/**
 * Reports a poison event as every reader of the log reports an invalid message, and, the projector being the
 * one reader with an operator's view of it, records it where `npm run projections` lists it.
 */
export const park = async (generations: Generations, logger: Logger, event: ParkedEvent) => {
  const { projection, stream, seq, subject, reason } = event
  reportInvalidMessagesTo(logger, `projector.${projection}`)({ stream, seq, subject, reason })
  await generations.parked.put(parkedKeys.event(projection, seq), JSON.stringify(event))
}

/**
 * Records a read-model write that kept failing: that entry (and the rest of its unit, e.g. one user's list)
 * stays as it was, every other entry goes on. `npm run projections` and `/readyz` report it.
 */
export const parkWrite = async (generations: Generations, logger: Logger | undefined, write: ParkedWrite) => {
  // Logged once per unit and run: a unit that keeps failing would otherwise log every batch that touches it.
  logger?.error(write, 'parked a read-model write that keeps failing; every other entry goes on')
  await generations.parked.put(
    parkedKeys.write(write.projection, write.readModel, write.key),
    JSON.stringify(write),
  )
}
