import type { ParkedEvent } from '@jetnotes/schemas'
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import type { Generations } from './generations.ts'
import { markPosition } from './position-marker.ts'
import { PoisonMessageError, type Projection } from './projections/projection.ts'
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
        const consumer = await this.generations.consumerAtAckFloor(this.projection.name, generation)
        const messages = await consumer.consume({ max_messages: this.#batchSize * 2 })
        this.#messages = messages
        let batch: JsMsg[] = []
        for await (const message of messages) {
          batch.push(message)
          if (message.info.pending === 0 || batch.length >= this.#batchSize) {
            await this.#process(batch, views, generation)
            batch = []
            backoffMs = 250
          }
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

  async #process(batch: JsMsg[], views: ViewStore, generation: number) {
    const parked: ParkedEvent[] = []
    await views.prefetch(batch.map((message) => this.projection.entryOf(message.subject)))
    for (const message of batch) {
      const poison = await foldMessage(this.projection, views, message.seq, message.subject, () =>
        message.json(),
      )
      if (poison !== undefined) parked.push(poison)
    }
    await views.flush()
    await markPosition(this.generations, this.projection.name, generation, batch.at(-1)?.seq ?? 0)
    for (const event of parked) await park(this.generations, this.logger, event)
    for (const message of batch) message.ack()
    const last = batch.at(-1)
    if (last === undefined) return
    await this.generations.setPosition(this.projection.name, generation, {
      seq: last.seq,
      streamSeq: last.seq + last.info.pending,
      at: new Date().toISOString(),
    })
  }
}

/**
 * Folds one message; returns a parked event instead of throwing when the message is poison (bad JSON, or
 * events that fail validation). Any other error (NATS unavailable) is thrown: the batch is then redelivered.
 */
export const foldMessage = async (
  projection: Projection,
  views: Views,
  seq: number,
  subject: string,
  payload: () => unknown,
): Promise<ParkedEvent | undefined> => {
  try {
    let decoded: unknown
    try {
      decoded = payload()
    } catch (error) {
      throw new PoisonMessageError(`not JSON: ${(error as Error).message}`, { cause: error })
    }
    await projection.project(views, { seq, subject, payload: decoded })
    return undefined
  } catch (error) {
    if (!(error instanceof PoisonMessageError)) throw error
    return {
      projection: projection.name,
      stream: projection.stream,
      seq,
      subject,
      reason: error.message,
      at: new Date().toISOString(),
    }
  }
}

/** Records a poison event where `npm run projections` reports it, and says so in the log. */
export const park = async (generations: Generations, logger: Logger, event: ParkedEvent) => {
  logger.error(event, 'parked an event that failed validation; the other events go on')
  await generations.parked.put(`${event.projection}.${event.seq}`, JSON.stringify(event))
}
