import { z } from 'zod'
import { Id } from './ids.ts'

/** Fields every event carries, whatever its type. */
export const EnvelopeFields = {
  /** Unique id of this event. */
  id: z.string().min(1),
  /** Id of the aggregate (note or user) the event belongs to. */
  aggregateId: Id,
  /** Version of the aggregate after this event: 1 for its first event, then +1 per event. */
  version: z.number().int().positive(),
  /** The user who caused the event. */
  actor: Id,
  /** When the command was accepted (ISO 8601). */
  time: z.iso.datetime({ offset: true }),
  /** The request id of the command that produced the event. */
  correlationId: z.string().min(1).max(200),
}

/**
 * Defines an event: an envelope with a literal `type`, its schema version and its `data`.
 * Bump `schemaVersion` (and add an upcaster) whenever `data` changes shape.
 */
export const defineEvent = <const Type extends string, const Version extends number, Data extends z.ZodType>(
  type: Type,
  schemaVersion: Version,
  data: Data,
) =>
  z.object({
    type: z.literal(type),
    schemaVersion: z.literal(schemaVersion),
    ...EnvelopeFields,
    data,
  })

/** What a decider emits: the event's type and data. The envelope is added when the event is appended. */
export type Emitted<Event extends { type: string; data: unknown }> = Event extends unknown
  ? Pick<Event, 'type' | 'data'>
  : never

/** The metadata the edge supplies when it wraps emitted events into envelopes. */
export type EventMetadata = { actor: string; time: string; correlationId: string }

type EventUnion = {
  options: readonly { shape: { type: { value: string }; schemaVersion: { value: number } } }[]
}

/** Type -> the schema version events of that type are written with today (the literal in each schema). */
export const schemaVersionsOf = (union: EventUnion): Readonly<Record<string, number>> =>
  Object.fromEntries(
    union.options.map((option) => [option.shape.type.value, option.shape.schemaVersion.value]),
  )
