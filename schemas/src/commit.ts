import { z } from 'zod'
import { type Upcaster, upcast } from './upcasting.ts'

/**
 * The payload of one JetStream message: the events one command produced, in order. nats-server 2.9 has no
 * batch publish, so a command's events travel together in one message and are appended atomically.
 */
export const Commit = z.object({ events: z.array(z.unknown()).min(1) })

/** How to read an aggregate's events: the current schema, and the upcasters from older versions. */
export type EventCodec<Event> = { event: z.ZodType<Event>; upcasters: readonly Upcaster[] }

/**
 * Parses a message payload into events of one aggregate type, upcasting old versions first.
 * Throws a ZodError on anything invalid (a poison message), its issues' paths starting at the commit
 * (`events.1.data.title`), so the reason says which event is at fault.
 */
export const parseCommit = <Event>(codec: EventCodec<Event>, payload: unknown): Event[] =>
  Commit.parse(payload).events.map((event, index) => {
    try {
      return codec.event.parse(upcast(codec.upcasters, event))
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error
      // ZodRealError is what `parse` itself throws (an Error, unlike a plain `new ZodError`).
      throw new z.ZodRealError(
        error.issues.map((issue) => ({ ...issue, path: ['events', index, ...issue.path] })),
      )
    }
  })
