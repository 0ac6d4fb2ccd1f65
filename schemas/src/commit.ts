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
 * Throws (a ZodError, or a SyntaxError for bad JSON upstream) on anything invalid: a poison message.
 */
export const parseCommit = <Event>(codec: EventCodec<Event>, payload: unknown): Event[] =>
  Commit.parse(payload).events.map((event) => codec.event.parse(upcast(codec.upcasters, event)))
