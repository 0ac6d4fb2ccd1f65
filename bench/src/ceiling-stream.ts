import { noteAggregate } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'

/**
 * The raw ceilings publish to a stream of their own, configured exactly as NOTES (file storage, duplicate
 * window, limits), so the projector and the live hub do not fold them and the ceiling measures JetStream alone.
 */
export const ceilingStream = async (jsm: JetStreamManager) => {
  const { config } = await jsm.streams.info(noteAggregate.stream)
  await jsm.streams.add({ ...config, name: 'BENCH_CEILING', subjects: ['bench.>'] })
  return { subject: (id: string) => `bench.notes.${id}` }
}
