import { type InvalidMessage, type LogMessage, reportInvalidMessagesTo } from '@jetnotes/platform'
import { type ParkedEvent, type ParkedWrite, parkedKeys } from '@jetnotes/schemas'
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import { arrivedBatches } from './arrived-batches.ts'
import type { Generations } from './generations.ts'
import { markPosition } from './position-marker.ts'
import type { FoldContext, Projection } from './projections/projection.ts'
import { ViewStore, type Views } from './view-store.ts'

export type RunnerOptions = {
  /** Most messages folded before one flush of the writes and one round of acks. */
  batchSize?: number
}

/**
 * Runs one projection: folds the messages of its live generation's durable consumer into that generation's
 * read models, in order, and follows the pointer when a rebuild switches generations.
 *
 * Per batch: fold every message into the working set, write the changed entries, then ack the messages, then
 * record the position. A crash anywhere in between leaves messages unacked; they are folded again, which
 * changes nothing that was already written, because every entry records the position it reflects.
 */
export class ProjectionRunner {
  #generation: number | undefined
  #messages: ConsumerMessages | undefined
  #running: Promise<void> | undefined
  #stopped = false
  readonly #batchSize: number

  constructor(
    private readonly projection: Projection,
    private readonly generations: Generations,
    private readonly logger: Logger,
    options: RunnerOptions = {},
  ) {
    this.#batchSize = options.batchSize ?? 256
  }

  async start(): Promise<void> {
    const generation = await this.generations.ensureActive(this.projection.name)
    this.#follow(generation)
    void (async () => {
      for await (const active of this.generations.watchActive(this.projection.name)) {
        if (this.#stopped) return
        if (active !== this.#generation) {
          this.logger.info({ projection: this.projection.name, generation: active }, 'switching generation')
          this.#messages?.stop()
          await this.#running
          this.#follow(active)
        }
      }
    })().catch((error: unknown) => this.logger.error({ err: error }, 'lost the generation pointer watch'))
  }

  async stop(): Promise<void> {
    this.#stopped = true
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
        const views = new ViewStore(await this.generations.openBuckets(this.projection.name, generation))
        // Anything in the stream now may have been folded by a run that died before acking it; what is
        // appended later can only be new (one projector runs a projection).
        const foldedBefore = await this.generations.lastSeq(this.projection.name)
        const consumer = await this.generations.consumerAtAckFloor(this.projection.name, generation)
        const messages = await consumer.consume({ max_messages: this.#batchSize * 2 })
        this.#messages = messages
        for await (const batch of arrivedBatches(messages, this.#batchSize)) {
          await this.#process(batch, views, generation, foldedBefore)
          backoffMs = 250
        }
        return
      } catch (error) {
        if (this.#stopped || this.#generation !== generation) return
        this.logger.error(
          { err: error, projection: this.projection.name },
          'projection failed; resuming from the ack floor',
        )
        this.#messages?.stop()
        await new Promise((resolve) => setTimeout(resolve, backoffMs))
        backoffMs = Math.min(backoffMs * 2, 10_000)
      }
    }
  }

  async #process(batch: JsMsg[], views: ViewStore, generation: number, foldedBefore: number) {
    const parked: ParkedEvent[] = []
    const prepared = batch.map((message) =>
      this.projection.prepare(message, { first: message.seq > foldedBefore }),
    )
    await views.prefetch(prepared.flatMap((fold) => (fold.valid ? fold.reads : [])))
    for (const fold of prepared) {
      if (fold.valid) await fold.apply(views)
      else parked.push(parkedEventOf(this.projection, fold.invalid))
    }
    const last = batch.at(-1)
    if (last === undefined) return
    const failedWrites = await views.flush()
    for (const event of parked) await park(this.generations, this.logger, event)
    for (const failure of failedWrites) {
      await parkWrite(this.generations, failure.again ? undefined : this.logger, {
        kind: 'write',
        projection: this.projection.name,
        readModel: failure.readModel,
        key: failure.key,
        seq: last.seq,
        reason: failure.reason,
        at: new Date().toISOString(),
      })
    }
    // Everything below follows the writes and the parking; none of it depends on the others.
    for (const message of batch) message.ack()
    await Promise.all([
      markPosition(this.generations, this.projection.name, generation, last.seq),
      this.generations.setPosition(this.projection.name, generation, {
        seq: last.seq,
        streamSeq: last.seq + last.info.pending,
        at: new Date().toISOString(),
      }),
    ])
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
