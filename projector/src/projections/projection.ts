import {
  type DecodableAggregate,
  decodeMessage,
  type InvalidMessage,
  type LogMessage,
} from '@jetnotes/platform'
import { type ProjectionName, projections, type ReadModelName, type StreamName } from '@jetnotes/schemas'
import type { Views } from '../view-store.ts'

/** A read-model entry, by read model and key. */
export type EntryRef = { readModel: ReadModelName; key: string }

/**
 * How a message will be folded, once decoded: the entries the fold reads (a batch fetches them all at once,
 * one round trip), and the fold itself.
 */
export type PreparedFold = {
  valid: true
  reads: EntryRef[]
  apply: (views: Views) => Promise<void>
  /** The request id of the command that appended the message (its events' correlation id), for log lines. */
  correlationId: string | undefined
}

/** What the runner knows of a message beyond the message itself. */
export type FoldContext = {
  /**
   * The message was appended after this fold started: no earlier run can have folded it, so the entries it
   * creates cannot exist yet (a replay after a crash is never first).
   */
  first: boolean
}

/** A projection as the runner and the rebuild drive it: one message at a time, through a view store. */
export type Projection = {
  name: ProjectionName
  stream: StreamName
  /**
   * Decodes a message with `decodeMessage`, the one decision every reader of the log shares: a valid one is
   * prepared for folding (idempotent: a message folded twice changes nothing), an invalid one is returned.
   */
  prepare: (
    message: LogMessage,
    context: FoldContext,
  ) => PreparedFold | { valid: false; invalid: InvalidMessage }
}

/** Declares a projection from the aggregate whose log it reads, and what it reads and folds of a message. */
export const defineProjection = <Event extends { aggregateId: string; correlationId: string }>(definition: {
  name: ProjectionName
  aggregate: DecodableAggregate<Event>
  /** The entries folding these events reads first (fetched with the rest of the batch). */
  reads: (message: LogMessage, events: Event[], context: FoldContext) => EntryRef[]
  apply: (views: Views, message: LogMessage, events: Event[], context: FoldContext) => Promise<void>
}): Projection => ({
  name: definition.name,
  stream: projections[definition.name].stream,
  prepare: (message, context) => {
    const decoded = decodeMessage(definition.aggregate, message)
    if (!decoded.valid) return decoded
    return {
      valid: true,
      reads: definition.reads(message, decoded.events, context),
      apply: (views) => definition.apply(views, message, decoded.events, context),
      correlationId: decoded.events[0]?.correlationId,
    }
  },
})
