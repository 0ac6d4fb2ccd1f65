import { type ProjectionName, parkedBucket, projectionNames } from '@jetnotes/schemas'
import type { JetStreamClient } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { Logger } from 'pino'

export type ParkedCounts = Record<ProjectionName, { events: number; writes: number }>

/**
 * How many events and writes the projector has parked, per projection, kept current by one KV watch of
 * `projector-parked` (so `/readyz` reports them without a scan per request).
 */
export class ParkedEntries {
  readonly #keys = new Set<string>()
  #stop: (() => void) | undefined
  #stopped = false

  constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts following the bucket. The projector creates it beside the meta bucket, so it may not be there yet
   * when the query-service starts: then it is looked for again every second, without holding up start-up.
   */
  start(): void {
    void this.#follow().catch((error: unknown) => {
      if (this.#stopped) return
      this.logger.info({ err: error }, 'the parked entries are not there yet; looking again in a second')
      setTimeout(() => this.start(), 1_000).unref()
    })
  }

  async #follow(): Promise<void> {
    const bucket = await new Kvm(this.js).open(parkedBucket)
    await bucket.status()
    const watch = await bucket.watch({ key: '>', headers_only: true })
    if (this.#stopped) return watch.stop()
    this.#stop = () => watch.stop()
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT') this.#keys.add(entry.key)
        else this.#keys.delete(entry.key)
      }
    })().catch((error: unknown) => this.logger.warn({ err: error }, 'lost the watch of parked entries'))
  }

  stop(): void {
    this.#stopped = true
    this.#stop?.()
  }

  counts(): ParkedCounts {
    const counts = Object.fromEntries(
      projectionNames.map((name) => [name, { events: 0, writes: 0 }]),
    ) as ParkedCounts
    for (const key of this.#keys) {
      const [projection, kind] = key.split('.') as [ProjectionName, string]
      const count = counts[projection]
      if (count === undefined) continue
      if (kind === 'write') count.writes++
      else count.events++
    }
    return counts
  }
}
