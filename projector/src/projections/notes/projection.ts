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
import { applyToNoteList, type NoteListStore } from './note-list.ts'

export type NotesProjectionOptions = {
  /** Most summaries in one page of a user's note list. */
  notePageSize: number
}

export const defaultNotePageSize = 128

/** NOTES -> `notes` (each note as it is now) and `note-lists` (the notes each user can see, in pages). */
export const notesProjection = ({ notePageSize }: NotesProjectionOptions) =>
  defineProjection({
    name: 'notes',
    aggregate: noteAggregate,
    reads: ({ subject }, events, context) =>
      createsNote(events, context) ? [] : [{ readModel: 'notes', key: aggregateIdOf(subject) }],
    apply: async (views, { seq, subject }, events, context) => {
      const noteId = aggregateIdOf(subject)
      const record = createsNote(events, context) ? undefined : await views.get<NoteRecord>('notes', noteId)
      const next = evolveNoteRecord(record, events, seq)
      if (next === undefined) return
      if (next !== record) views.set('notes', noteId, next)
      const change = { noteId, position: positionOf(next.note) }
      for (const userId of affectedUsers(next.note, events)) {
        const summary = summaryFor(next.note, userId)
        await applyToNoteList(new NoteListInViews(views, userId), { ...change, summary }, seq, notePageSize)
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

/** Write stages of a list's entries: pages before what names them, deletions last (see `NoteListStore`). */
const stages = { newPage: 0, page: 1, head: 2, directory: 3 }

/** One user's list in the `note-lists` read model, through the projector's working set. */
class NoteListInViews implements NoteListStore {
  readonly #unit: string

  constructor(
    private readonly views: Views,
    private readonly userId: string,
  ) {
    this.#unit = `note-lists/${userId}`
  }

  head() {
    return this.views.get<NoteListHead>('note-lists', noteListKeys.head(this.userId))
  }

  directory() {
    return this.views.get<NoteListDirectory>('note-lists', noteListKeys.directory(this.userId))
  }

  page(id: string) {
    return this.views.get<NoteListPage>('note-lists', noteListKeys.page(this.userId, id))
  }

  setHead(head: NoteListHead) {
    this.views.set('note-lists', noteListKeys.head(this.userId), head, {
      stage: stages.head,
      unit: this.#unit,
    })
  }

  setDirectory(directory: NoteListDirectory) {
    const key = noteListKeys.directory(this.userId)
    this.views.set('note-lists', key, directory, { stage: stages.directory, unit: this.#unit })
  }

  setPage(id: string, page: NoteListPage, kind: 'new' | 'in-place') {
    const stage = kind === 'new' ? stages.newPage : stages.page
    this.views.set('note-lists', noteListKeys.page(this.userId, id), page, { stage, unit: this.#unit })
  }

  deletePage(id: string) {
    this.views.delete('note-lists', noteListKeys.page(this.userId, id), { unit: this.#unit })
  }
}
