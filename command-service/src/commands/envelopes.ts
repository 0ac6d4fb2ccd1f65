import { randomUUID } from 'node:crypto'
import type { Emitted, EventMetadata } from '@jetnotes/schemas'
import type { z } from 'zod'

/**
 * Wraps a decider's events into full envelopes (id, versions, actor, time, correlation id) and validates them
 * against the event schema, so nothing malformed is ever appended.
 */
export const toEnvelopes = <Event extends { type: string; data: unknown }>(
  aggregate: { event: z.ZodType<Event>; schemaVersions: Readonly<Record<string, number>> },
  emitted: readonly Emitted<Event>[],
  aggregateId: string,
  currentVersion: number,
  metadata: EventMetadata,
): Event[] =>
  emitted.map((event, index) =>
    aggregate.event.parse({
      id: randomUUID(),
      type: event.type,
      schemaVersion: aggregate.schemaVersions[event.type],
      aggregateId,
      version: currentVersion + index + 1,
      ...metadata,
      data: event.data,
    }),
  )
