import { z } from 'zod'

/**
 * The payload of one JetStream message: the events one command produced, in order. nats-server 2.9 has no
 * batch publish, so a command's events travel together in one message and are appended atomically.
 */
export const Commit = z.object({ events: z.array(z.unknown()).min(1) })

/** Parses a message payload into events of one aggregate type. Throws (a ZodError) on anything invalid. */
export const parseCommit = <Event>(eventSchema: z.ZodType<Event>, payload: unknown): Event[] =>
  Commit.parse(payload).events.map((event) => eventSchema.parse(event))
