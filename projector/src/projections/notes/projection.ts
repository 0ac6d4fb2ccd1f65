import { aggregateIdOf, type NoteIndex, type NoteRecord, noteAggregate } from '@jetnotes/schemas'
import { defineProjection } from '../projection.ts'
import { affectedUsers, emptyNoteIndex, evolveNoteRecord, withNote } from './evolve.ts'

/** NOTES -> `notes` (each note as it is now) and `note-index` (the notes each user can see). */
export const notesProjection = defineProjection({
  name: 'notes',
  aggregate: noteAggregate,
  entryOf: (subject) => ({ readModel: 'notes', key: aggregateIdOf(subject) }),
  apply: async (views, { seq, subject }, events) => {
    const noteId = aggregateIdOf(subject)
    const record = await views.get<NoteRecord>('notes', noteId)
    const next = evolveNoteRecord(record, events, seq)
    if (next === undefined) return
    if (next !== record) views.set('notes', noteId, next)
    for (const userId of affectedUsers(next.note, events)) {
      const index = (await views.get<NoteIndex>('note-index', userId)) ?? emptyNoteIndex
      if (index.seq < seq) views.set('note-index', userId, withNote(index, next.note, userId, seq))
    }
  },
})
