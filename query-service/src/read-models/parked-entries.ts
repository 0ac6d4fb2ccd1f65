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

  constructor(
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const bucket = await new Kvm(this.js).open(parkedBucket)
    const watch = await bucket.watch({ key: '>', headers_only: true })
    this.#stop = () => watch.stop()
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT') this.#keys.add(entry.key)
        else this.#keys.delete(entry.key)
      }
    })().catch((error: unknown) => this.logger.warn({ err: error }, 'lost the watch of parked entries'))
  }

  stop(): void {
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
