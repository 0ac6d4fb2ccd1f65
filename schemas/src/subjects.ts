import type { Id } from './ids.ts'

/**
 * Subject names. Every aggregate has exactly one subject, so the server's `expect.lastSubjectSequence` is the
 * optimistic concurrency check of that aggregate. Build subjects only through these functions.
 */
export const subjects = {
  note: (noteId: Id) => `notes.${noteId}`,
  user: (userId: Id) => `users.${userId}`,
  allNotes: 'notes.*',
  allUsers: 'users.*',
} as const

/** The aggregate id of a `notes.<id>` or `users.<id>` subject. */
export const aggregateIdOf = (subject: string): string => subject.slice(subject.indexOf('.') + 1)
