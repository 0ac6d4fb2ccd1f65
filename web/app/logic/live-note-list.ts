import type { NoteSummary, NoteView } from '../api/types.ts'
import { type ListFilter, matchesFilter } from './note-list-filter.ts'
import { newestFirst } from './note-list-order.ts'

/** What the list needs of a live change (the live stream's `LiveChange` has it): `note` null once it is gone. */
export type NoteChange = { noteId: string; version: number; note: NoteView | null }

/** The page of the note list on screen. */
export type ShownPage = {
  items: readonly NoteSummary[]
  /** Nothing comes before it (no cursor led here). */
  first: boolean
  /** A later page follows (the API gave a next cursor). */
  more: boolean
  /**
   * A live note pushed the last item off this page. The API's next cursor continues after that item, so it
   * would skip it: ask for this page again before going on.
   */
  spilled: boolean
}

export type ListContext = { userId: string; filter: ListFilter; pageSize: number }

/** The line of the list for a note as `userId` sees it, or undefined when they may not see it. */
export const summaryOf = (note: NoteView, userId: string): NoteSummary | undefined => {
  const access =
    note.owner === userId ? 'owner' : note.shares.find((share) => share.userId === userId)?.permission
  if (access === undefined) return undefined
  const { id, title, tags, owner, version, createdAt, updatedAt } = note
  return { id, title, tags, owner, access, version, createdAt, updatedAt }
}

/**
 * The page after a live change, as the API would now answer it for the same place: a note that is gone or no
 * longer matches the filter leaves; a note already shown is replaced in place (lists are ordered by creation,
 * which an edit does not change); a note not shown enters only when it falls inside this page's stretch of the
 * list (anywhere above the last item on the first page, so a new note appears at the top). Anything else is
 * another page's business. Older versions than the one shown (a resumed stream's replay) change nothing. The
 * page never grows past `pageSize`. Returns `page` itself when nothing changed.
 */
export const applyLiveChange = (page: ShownPage, change: NoteChange, context: ListContext): ShownPage => {
  const index = page.items.findIndex((item) => item.id === change.noteId)
  const shown = page.items[index]
  if (shown !== undefined && shown.version >= change.version) return page
  const summary = change.note === null ? undefined : summaryOf(change.note, context.userId)
  const belongs = summary !== undefined && matchesFilter(summary, context.filter)
  if (shown !== undefined) {
    const items = page.items.filter((item) => item.id !== change.noteId)
    return { ...page, items: belongs ? [...items, summary].sort(newestFirst) : items }
  }
  if (!belongs || !withinPage(page, summary)) return page
  const items = [...page.items, summary].sort(newestFirst)
  if (items.length <= context.pageSize) return { ...page, items }
  return { ...page, items: items.slice(0, context.pageSize), more: true, spilled: true }
}

/** Whether a note not shown would sit on this page: after its first item (or first page), before its last. */
const withinPage = (page: ShownPage, note: NoteSummary): boolean => {
  const first = page.items[0]
  const last = page.items[page.items.length - 1]
  const afterStart = page.first || (first !== undefined && newestFirst(first, note) < 0)
  // An empty page with more after it (a filtered scan that found nothing yet) takes what is newer than all.
  const beforeEnd = !page.more || last === undefined || newestFirst(note, last) < 0
  return afterStart && beforeEnd
}
