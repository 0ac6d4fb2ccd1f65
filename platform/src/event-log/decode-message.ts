import { aggregateIdOf, type EventCodec, parseCommit } from '@jetnotes/schemas'
import type { Logger } from 'pino'

/**
 * One message of the event log as a reader holds it: the bytes JetStream delivered (a `JsMsg` or a `StoredMsg`
 * is one as it is), or a payload some reader has already parsed as JSON.
 */
export type LogMessage = { seq: number; subject: string } & ({ data: Uint8Array } | { parsed: unknown })

/** A message of the log that is not a valid commit of its aggregate: where it is, and why, for a person. */
export type InvalidMessage = { stream: string; seq: number; subject: string; reason: string }

/** What a message means to a reader: the events it carries, or why it carries none. */
export type DecodedMessage<Event> =
  | { valid: true; events: Event[] }
  | { valid: false; invalid: InvalidMessage }

/** What decoding needs of an aggregate type (`noteAggregate`, `userAggregate`). */
export type DecodableAggregate<Event> = EventCodec<Event> & {
  stream: string
  subject: (id: string) => string
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * THE decision on a logged message, shared by every reader of the log (projector, live hub, history, the
 * command side's loading, the user directory, the test fold), so they all fold exactly the same messages.
 * Valid means: JSON, a commit of events that pass the aggregate's schemas (after upcasting), on a subject of
 * this aggregate, each event naming the aggregate of that subject. Never throws for a bad message.
 */
export const decodeMessage = <Event extends { aggregateId: string }>(
  aggregate: DecodableAggregate<Event>,
  message: LogMessage,
): DecodedMessage<Event> => {
  const invalid = (reason: string): DecodedMessage<Event> => ({
    valid: false,
    invalid: { stream: aggregate.stream, seq: message.seq, subject: message.subject, reason },
  })
  const id = aggregateIdOf(message.subject)
  if (aggregate.subject(id) !== message.subject) {
    return invalid(`subject ${message.subject} is not the subject of an aggregate in ${aggregate.stream}`)
  }
  let payload: unknown
  if ('data' in message) {
    try {
      payload = JSON.parse(utf8.decode(message.data))
    } catch (error) {
      return invalid(`not JSON: ${error instanceof Error ? error.message : String(error)}`)
    }
  } else {
    payload = message.parsed
  }
  let events: Event[]
  try {
    events = parseCommit(aggregate, payload)
  } catch (error) {
    return invalid(describeFailure(error))
  }
  const stranger = events.findIndex((event) => event.aggregateId !== id)
  if (stranger !== -1) {
    return invalid(
      `events.${stranger}.aggregateId: ${events[stranger]?.aggregateId} is not ${id} (the subject's)`,
    )
  }
  return { valid: true, events }
}

/** The reason a person reads: the first zod issues as `path: message`, or the error's own message. */
const describeFailure = (error: unknown): string => {
  if (error instanceof Error && 'issues' in error && Array.isArray(error.issues)) {
    return error.issues
      .slice(0, 5)
      .map(
        (issue: { path: PropertyKey[]; message: string }) =>
          `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
      )
      .join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}

/**
 * Where a reader sends each invalid message it skips. The policy is the same for every reader: an invalid
 * message changes nothing (no events), and it is never skipped silently.
 */
export type InvalidMessageReport = (invalid: InvalidMessage) => void

/** The log line of an invalid message, the same in every process, so one search finds them all. */
export const invalidMessageLogLine = 'skipped an invalid message of the event log'

/** The one report: a warning with the message's stream, seq, subject, reason, and which reader skipped it. */
export const reportInvalidMessagesTo =
  (logger: Logger, reader: string): InvalidMessageReport =>
  (invalid) =>
    logger.warn({ ...invalid, reader }, invalidMessageLogLine)

/** The events of a message; none, once reported, when it is invalid. */
export const eventsOf = <Event extends { aggregateId: string }>(
  aggregate: DecodableAggregate<Event>,
  message: LogMessage,
  report: InvalidMessageReport,
): Event[] => {
  const decoded = decodeMessage(aggregate, message)
  if (decoded.valid) return decoded.events
  report(decoded.invalid)
  return []
}
