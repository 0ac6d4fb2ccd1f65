import { eventsOf, type InvalidMessageReport, inSpan, readSubject, tracerOf } from '@jetnotes/platform'
import { noteAggregate, subjects } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { LoggedCommit } from './audit.ts'

const tracer = tracerOf('query-service')

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
  const subject = subjects.note(noteId)
  const attributes = { 'messaging.system': 'nats', 'messaging.destination.name': subject }
  return inSpan(tracer, 'read log', { attributes }, async (span) => {
    const commits: LoggedCommit[] = []
    for await (const commit of readSubject(jsm, noteAggregate.stream, subject, 0)) {
      const events = eventsOf(noteAggregate, commit, report)
      if (events.length > 0) commits.push({ seq: commit.seq, events })
    }
    span.setAttribute('jetnotes.commits', commits.length)
    return commits
  })
}
