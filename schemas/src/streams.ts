import { subjects } from './subjects.ts'

/** The JetStream streams that hold the event log. */
export const streams = {
  users: { name: 'USERS', subjects: [subjects.allUsers], description: 'jetnotes user events (audit log)' },
  notes: { name: 'NOTES', subjects: [subjects.allNotes], description: 'jetnotes note events (audit log)' },
} as const

export type StreamName = (typeof streams)[keyof typeof streams]['name']
export const streamNames: readonly StreamName[] = [streams.users.name, streams.notes.name]

/** KV buckets owned by the command side (not read models: they are not folds of the log). */
export const commandBuckets = {
  /** Remembers Idempotency-Key responses for 24 hours. */
  idempotency: 'idempotency',
  /** Claims of e-mail addresses, so two registrations cannot take the same one. */
  emails: 'user-emails',
  /** Snapshots of note aggregates, so loading a note does not replay its whole history. */
  noteSnapshots: 'note-snapshots',
} as const
