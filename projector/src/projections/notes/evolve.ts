import { acceptedEvents } from '@jetnotes/platform'
import {
  accessOf,
  evolveNote,
  type Note,
  type NoteEvent,
  type NoteRecord,
  type NoteSummary,
  shareeIds,
} from '@jetnotes/schemas'

/**
 * The `notes` read model after one message: unchanged if it already reflects that position. A commit that does
 * not carry the note's next version (`refusalOf`) changes nothing but the position, as in every fold of the log.
 */
export const evolveNoteRecord = (
  record: NoteRecord | undefined,
  events: readonly NoteEvent[],
  seq: number,
): NoteRecord | undefined => {
  if (record !== undefined && record.seq >= seq) return record
  const note = acceptedEvents(record?.note ?? null, events).reduce(evolveNote, record?.note ?? null)
  return note === null ? record : { note, seq }
}

/**
 * Whose note lists a message can change: the owner, everyone it is shared with, and whoever the message
 * shares it with or takes it from. All of them follow from the note after the message and the message itself,
 * so a replayed message recomputes the same lists even when the note view is already further on.
 */
export const affectedUsers = (note: Note, events: readonly NoteEvent[]): string[] => {
  const users = new Set([note.owner, ...shareeIds(note.shares)])
  for (const event of events) {
    if (event.type === 'NoteShared' || event.type === 'NoteUnshared') users.add(event.data.userId)
  }
  return [...users]
}

/** The line for a note in a user's list, or `undefined` when the user cannot see it. */
export const summaryFor = (note: Note, userId: string): NoteSummary | undefined => {
  const access = accessOf(note, userId)
  if (access === 'none') return undefined
  return {
    id: note.id,
    title: note.title,
    tags: note.tags,
    owner: note.owner,
    access,
    version: note.version,
    createdAt: note.createdAt,
    updatedAt: note.updatedAt,
  }
}
