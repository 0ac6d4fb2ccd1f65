import type { z } from 'zod'

/**
 * Moves the data of one event type from schema version `from` to `from + 1`. Events already in the log are
 * never rewritten: readers upcast them on the way in, so every fold sees only the current shape.
 */
export type Upcaster = { type: string; from: number; up: (data: unknown) => unknown }

/** Declares an upcaster; the old data is validated against its old schema before it is converted. */
export const upcaster = <Old extends z.ZodType>(
  type: string,
  from: number,
  oldData: Old,
  up: (data: z.infer<Old>) => unknown,
): Upcaster => ({ type, from, up: (data) => up(oldData.parse(data)) })

type Versioned = { type?: unknown; schemaVersion?: unknown; data?: unknown }

/** Applies upcasters until the event is at the newest version they know. Unknown shapes pass through. */
export const upcast = (upcasters: readonly Upcaster[], raw: unknown): unknown => {
  if (raw === null || typeof raw !== 'object') return raw
  let event = raw as Versioned
  for (;;) {
    const step = upcasters.find(
      (candidate) => candidate.type === event.type && candidate.from === event.schemaVersion,
    )
    if (step === undefined) return event
    event = { ...event, schemaVersion: step.from + 1, data: step.up(event.data) }
  }
}
