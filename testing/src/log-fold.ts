import { acceptedEvents, eventsOf, reportInvalidMessagesTo } from '@jetnotes/platform'
import { evolveUserRecord, summaryFor } from '@jetnotes/projector'
import {
  aggregateIdOf,
  evolveNote,
  type Note,
  type NoteEvent,
  type NoteSummary,
  newestFirst,
  noteAggregate,
  positionMarkerKey,
  type UserRecord,
  userAggregate,
} from '@jetnotes/schemas'
import type { JetStreamClient } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { pino } from 'pino'

/** A payload as JSON, or its text when it is not JSON (a poison message, which a fold then skips). */
const jsonOrText = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * Every message of a stream, in order, read back with an ordered consumer: its payload as JSON (or text), and
 * the bytes as stored, which the folds below decode exactly as the projector does.
 */
export const readStream = async (js: JetStreamClient, stream: string) => {
  const consumer = await js.consumers.get(stream)
  const messages: { seq: number; subject: string; payload: unknown; data: Uint8Array }[] = []
  const info = await (await js.jetstreamManager()).streams.info(stream)
  if (info.state.messages === 0) return messages
  const iterator = await consumer.consume()
  for await (const message of iterator) {
    messages.push({
      seq: message.seq,
      subject: message.subject,
      payload: jsonOrText(message.string()),
      data: message.data,
    })
    if (message.info.pending === 0) break
  }
  iterator.stop()
  return messages
}

/**
 * Where the test folds report the invalid messages they skip: on stderr, like any reader of the log. They skip
 * exactly what the projector parks, because both decide with the same `decodeMessage`.
 */
const report = reportInvalidMessagesTo(pino({ level: 'warn' }, pino.destination(2)), 'test-fold')

/**
 * The expected state of every note: a pure fold of the NOTES log, independent of the projector, and every valid
 * event of each note with its position, those of a commit refused by the rule of the next version marked (the
 * history lists them; the note does not reflect them).
 */
export const foldNotes = async (js: JetStreamClient) => {
  const notes = new Map<string, Note>()
  const events = new Map<string, { seq: number; event: NoteEvent; refused: boolean }[]>()
  for (const message of await readStream(js, 'NOTES')) {
    const commit = eventsOf(noteAggregate, message, report)
    if (commit.length === 0) continue
    const id = aggregateIdOf(message.subject)
    const before = notes.get(id) ?? null
    const accepted = acceptedEvents(before, commit)
    const folded = accepted.reduce(evolveNote, before)
    if (folded) notes.set(id, folded)
    const refused = accepted.length === 0
    events.set(id, [
      ...(events.get(id) ?? []),
      ...commit.map((event) => ({ seq: message.seq, event, refused })),
    ])
  }
  return { notes, events }
}

/** The note list a user should see, derived from the folded notes. */
export const expectedList = (notes: Map<string, Note>, userId: string): NoteSummary[] =>
  [...notes.values()]
    .map((note) => summaryFor(note, userId))
    .filter((summary): summary is NoteSummary => summary !== undefined)
    .sort(newestFirst)

/** The expected `users` view: a pure fold of the USERS log with the projector's own fold. */
export const foldUsers = async (js: JetStreamClient) => {
  const users = new Map<string, UserRecord>()
  for (const message of await readStream(js, 'USERS')) {
    const userId = aggregateIdOf(message.subject)
    const events = eventsOf(userAggregate, message, report)
    // Skipped whole, position included: the projector parks an invalid message without folding it.
    if (events.length === 0) continue
    const next = evolveUserRecord(users.get(userId), events, message.seq)
    if (next !== undefined) users.set(userId, next)
  }
  return users
}

/**
 * Every entry of a KV bucket, parsed as JSON (keys are listed: fine for a test, never on a request path), but
 * the projector's position marker, which is no view.
 */
export const readBucket = async <Value>(js: JetStreamClient, bucket: string) => {
  const kv = await new Kvm(js).open(bucket)
  const entries = new Map<string, Value>()
  for await (const key of await kv.keys()) {
    if (key === positionMarkerKey) continue
    const entry = await kv.get(key)
    if (entry !== null && entry.operation === 'PUT') entries.set(key, entry.json<Value>())
  }
  return entries
}
