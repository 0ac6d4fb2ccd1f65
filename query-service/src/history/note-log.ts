import { readSubject } from '@jetnotes/platform'
import { noteAggregate, parseCommit, subjects } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import type { LoggedNoteEvent } from './audit.ts'

/**
 * Every event of one note, read from the log itself (not from a view), upcast to the current schema. A message
 * that fails validation is left out and logged; the projector has parked it too.
 */
export const readNoteEvents = async (
  jsm: JetStreamManager,
  noteId: string,
  logger: Logger,
): Promise<LoggedNoteEvent[]> => {
  const events: LoggedNoteEvent[] = []
  for await (const commit of readSubject(jsm, noteAggregate.stream, subjects.note(noteId), 0)) {
    try {
      for (const event of parseCommit(noteAggregate, commit.payload)) events.push({ seq: commit.seq, event })
    } catch (error) {
      logger.warn({ err: error, seq: commit.seq, noteId }, 'skipped an invalid message in a note history')
    }
  }
  return events
}
