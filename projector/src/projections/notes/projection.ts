import {
  aggregateIdOf,
  type NoteEvent,
  type NoteListDirectory,
  type NoteListHead,
  type NoteListPage,
  type NoteRecord,
  noteAggregate,
  noteListKeys,
  positionOf,
} from '@jetnotes/schemas'
import type { Views } from '../../view-store.ts'
import { defineProjection, type FoldContext } from '../projection.ts'
import { affectedUsers, evolveNoteRecord, summaryFor } from './evolve.ts'
import {
  applyToNoteList,
  type NoteListStore,
  type NoteListWrite,
  noteListKeyOf,
  noteListWrites,
} from './note-list.ts'

export type NotesProjectionOptions = {
  /** Most summaries in one page of a user's note list. */
  notePageSize: number
  /** Most pages in one page of a note list's directory. */
  noteDirectorySize: number
}

export const defaultNotePageSize = 128
export const defaultNoteDirectorySize = 256

/** NOTES -> `notes` (each note as it is now) and `note-lists` (the notes each user can see, in pages). */
export const notesProjection = ({ notePageSize, noteDirectorySize }: NotesProjectionOptions) =>
  defineProjection({
    name: 'notes',
    aggregate: noteAggregate,
    reads: ({ subject }, events, context) =>
      createsNote(events, context) ? [] : [{ readModel: 'notes', key: aggregateIdOf(subject) }],
    apply: async (views, { seq, subject }, events, context) => {
      const noteId = aggregateIdOf(subject)
      const creates = createsNote(events, context)
      const record = creates ? undefined : await views.get<NoteRecord>('notes', noteId)
      const next = evolveNoteRecord(record, events, seq)
      if (next === undefined) return
      if (next !== record) views.set('notes', noteId, next, { creates })
      // A refused commit (the same note at a new position) changes no one's list. A replay (the same record)
      // still recomputes the lists: a crash may have come between the record and the lists.
      if (next.note === record?.note && next.seq !== record.seq) return
      const change = { noteId, position: positionOf(next.note) }
      const sizes = { pageSize: notePageSize, directorySize: noteDirectorySize }
      for (const userId of affectedUsers(next.note, events)) {
        const summary = summaryFor(next.note, userId)
        await applyToNoteList(new NoteListInViews(views, userId), { ...change, summary }, seq, sizes)
      }
    },
  })

/**
 * A commit that creates a note, folded for the first time: its note owes nothing to an earlier state (a
 * `NoteCreated` starts from scratch), and nothing was folded for it before, so there is no record to read (most
 * messages of a busy system are these: one KV read saved on each).
 */
const createsNote = (events: readonly NoteEvent[], context: FoldContext) =>
  context.first && events[0]?.type === 'NoteCreated'

/** One user's list in the `note-lists` read model, through the projector's working set, written in stages. */
class NoteListInViews implements NoteListStore {
  readonly #unit: string

  constructor(
    private readonly views: Views,
    private readonly userId: string,
  ) {
    // All of a user's list entries stand or fall together (see the view store's units).
    this.#unit = `note-lists/${userId}`
  }

  head() {
    return this.views.get<NoteListHead>('note-lists', noteListKeys.head(this.userId))
  }

  root() {
    return this.views.get<NoteListDirectory>('note-lists', noteListKeys.directory(this.userId))
  }

  directoryPage(id: string) {
    return this.views.get<NoteListDirectory>('note-lists', noteListKeys.directoryPage(this.userId, id))
  }

  page(id: string) {
    return this.views.get<NoteListPage>('note-lists', noteListKeys.page(this.userId, id))
  }

  write(kind: NoteListWrite, id: string, value: unknown) {
    const stage = noteListWrites.indexOf(kind)
    const creates = kind === 'new-page' || kind === 'new-directory-page'
    this.views.set('note-lists', noteListKeyOf(this.userId, kind, id), value, {
      stage,
      unit: this.#unit,
      creates,
    })
  }

  delete(kind: 'page' | 'directory-page', id: string) {
    this.views.delete('note-lists', noteListKeyOf(this.userId, kind, id), { unit: this.#unit })
  }
}
