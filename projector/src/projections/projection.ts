import {
  type DecodableAggregate,
  decodeMessage,
  type InvalidMessage,
  type LogMessage,
} from '@jetnotes/platform'
import { type ProjectionName, projections, type ReadModelName, type StreamName } from '@jetnotes/schemas'
import type { Views } from '../view-store.ts'

/** A message that cannot be folded (it fails validation): parked with its reason, never retried. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError'

  constructor(readonly invalid: InvalidMessage) {
    super(invalid.reason)
  }
}

/** A projection as the runner and the rebuild drive it: one message at a time, through a view store. */
export type Projection = {
  name: ProjectionName
  stream: StreamName
  /** Folds one message into the read models. Idempotent; throws PoisonMessageError for an invalid message. */
  project: (views: Views, message: LogMessage) => Promise<void>
  /** The entry a message will read first, known from its subject alone: a batch fetches them all at once. */
  entryOf: (subject: string) => { readModel: ReadModelName; key: string }
}

/**
 * Declares a projection from the aggregate whose log it reads and its fold of a message's events. Messages are
 * decoded by `decodeMessage`, the one decision every reader of the log shares.
 */
export const defineProjection = <Event extends { aggregateId: string }>(definition: {
  name: ProjectionName
  aggregate: DecodableAggregate<Event>
  apply: (views: Views, message: { seq: number; subject: string }, events: Event[]) => Promise<void>
  entryOf: Projection['entryOf']
}): Projection => ({
  name: definition.name,
  stream: projections[definition.name].stream,
  entryOf: definition.entryOf,
  project: async (views, message) => {
    const decoded = decodeMessage(definition.aggregate, message)
    if (!decoded.valid) throw new PoisonMessageError(decoded.invalid)
    await definition.apply(views, message, decoded.events)
  },
})
