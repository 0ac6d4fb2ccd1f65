import { eventsOf, type InvalidMessageReport, readSubject } from '@jetnotes/platform'
import { noteAggregate, subjects } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { LoggedNoteEvent } from './audit.ts'

/**
 * Every event of one note, read from the log itself (not from a view), upcast to the current schema. An invalid
 * message is reported and left out, as every reader of the log does (the projector parks it too).
 */
export const readNoteEvents = async (
  jsm: JetStreamManager,
  noteId: string,
  report: InvalidMessageReport,
): Promise<LoggedNoteEvent[]> => {
  const events: LoggedNoteEvent[] = []
  for await (const commit of readSubject(jsm, noteAggregate.stream, subjects.note(noteId), 0)) {
    for (const event of eventsOf(noteAggregate, commit, report)) events.push({ seq: commit.seq, event })
  }
  return events
}
