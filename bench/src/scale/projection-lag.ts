import { Generations } from '@jetnotes/projector'
import { type ProjectionName, projections } from '@jetnotes/schemas'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'

/** How many events of its stream each projection's live generation has not folded yet. */
export const projectionLag = async (js: JetStreamClient, jsm: JetStreamManager, logger: Logger) => {
  const generations = await Generations.open(js, jsm, 1, logger)
  const behind = async (name: ProjectionName) => {
    const generation = await generations.active(name)
    const [position, stream] = await Promise.all([
      generation === undefined ? undefined : generations.position(name, generation),
      jsm.streams.info(projections[name].stream),
    ])
    return stream.state.last_seq - (position?.seq ?? 0)
  }
  return async () => ({ notes: await behind('notes'), users: await behind('users') })
}
