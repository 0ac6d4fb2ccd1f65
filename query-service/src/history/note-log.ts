import { eventsOf, type InvalidMessageReport, readSubject } from '@jetnotes/platform'
import { noteAggregate, subjects } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { LoggedCommit } from './audit.ts'

/**
 * Every commit of one note, read from the log itself (not from a view), upcast to the current schema. An invalid
 * message is reported and left out, as every reader of the log does (the projector parks it too). A commit the
 * rule of the next version refuses is still here: the audit trail shows it, marked as refused.
 */
export const readNoteCommits = async (
  jsm: JetStreamManager,
  noteId: string,
  report: InvalidMessageReport,
): Promise<LoggedCommit[]> => {
  const commits: LoggedCommit[] = []
  for await (const commit of readSubject(jsm, noteAggregate.stream, subjects.note(noteId), 0)) {
    const events = eventsOf(noteAggregate, commit, report)
    if (events.length > 0) commits.push({ seq: commit.seq, events })
  }
  return commits
}
