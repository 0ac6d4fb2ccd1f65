import type { Note } from './notes/state.ts'
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
  /** Password hashes (`<userId>.<credentialId>`): never in the log, readable by the command-service alone. */
  credentials: 'credentials',
} as const

/** Bump when the shape of `Note` changes: older snapshots are then ignored and rebuilt from the log. */
export const noteSnapshotFormat = 1

/** A `note-snapshots` entry: a note's state and the stream position it reflects. */
export type NoteSnapshot = { format: number; state: Note; seq: number }
