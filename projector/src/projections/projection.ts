import { type ProjectionName, projections, type ReadModelName, type StreamName } from '@jetnotes/schemas'
import type { LoggedMessage, Views } from '../view-store.ts'

/** A message that cannot be folded (it fails validation): parked with its reason, never retried. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError'
}

/** A projection as the runner and the rebuild drive it: one message at a time, through a view store. */
export type Projection = {
  name: ProjectionName
  stream: StreamName
  /** Folds one message into the read models. Idempotent; throws PoisonMessageError for an invalid message. */
  project: (views: Views, message: LoggedMessage) => Promise<void>
  /** The entry a message will read first, known from its subject alone: a batch fetches them all at once. */
  entryOf: (subject: string) => { readModel: ReadModelName; key: string }
}

/** Declares a projection from its decoder (payload -> events) and its fold of the decoded events. */
export const defineProjection = <Event>(definition: {
  name: ProjectionName
  decode: (payload: unknown) => Event[]
  apply: (views: Views, message: LoggedMessage, events: Event[]) => Promise<void>
  entryOf: Projection['entryOf']
}): Projection => ({
  name: definition.name,
  stream: projections[definition.name].stream,
  entryOf: definition.entryOf,
  project: async (views, message) => {
    let events: Event[]
    try {
      events = definition.decode(message.payload)
    } catch (error) {
      throw new PoisonMessageError(describe(error), { cause: error })
    }
    await definition.apply(views, message, events)
  },
})

const describe = (error: unknown) => {
  if (error instanceof Error && 'issues' in error && Array.isArray(error.issues)) {
    return error.issues
      .slice(0, 5)
      .map(
        (issue: { path: PropertyKey[]; message: string }) =>
          `${issue.path.join('.') || '(root)'}: ${issue.message}`,
      )
      .join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}
