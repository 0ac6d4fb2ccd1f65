import {
  type ListPosition,
  type NoteListDirectory,
  type NoteListHead,
  type NoteListPage,
  type NoteSummary,
  pageIndexFor,
  positionOf,
  slotOf,
} from '@jetnotes/schemas'

/**
 * One user's paged note list as the fold reads and writes it (see `noteListKeys` in schemas for the entries).
 * Writes are staged: `new` pages go out before `in-place` pages, then the head, then the directory, then
 * deletions, so whatever a crash leaves written, every page the head or directory names exists, and a replay
 * of the unacknowledged events rebuilds the rest exactly (a split or merge that did not reach the directory is
 * recomputed from the same unchanged pages, with the same page ids).
 */
export type NoteListStore = {
  head(): Promise<NoteListHead | undefined>
  directory(): Promise<NoteListDirectory | undefined>
  page(id: string): Promise<NoteListPage | undefined>
  setHead(head: NoteListHead): void
  setDirectory(directory: NoteListDirectory): void
  setPage(id: string, page: NoteListPage, kind: 'new' | 'in-place'): void
  deletePage(id: string): void
}

/** A note as one user's list should now show it: `summary` undefined when they can no longer see it. */
export type ListChange = { noteId: string; position: ListPosition; summary: NoteSummary | undefined }

/** Pages below this many summaries merge with a neighbour, so reading a page of results costs few pages. */
export const minimumFill = (pageSize: number) => Math.max(1, Math.floor(pageSize / 4))

/** The page's summaries with the change made, the same array when nothing changes, and where it went. */
export const withChange = (
  notes: NoteSummary[],
  change: ListChange,
): { notes: NoteSummary[]; inserted?: number } => {
  const slot = slotOf(notes, change.position)
  const listed = notes[slot]?.id === change.noteId
  if (change.summary === undefined) return { notes: listed ? notes.toSpliced(slot, 1) : notes }
  if (listed) return { notes: notes.with(slot, change.summary) }
  return { notes: notes.toSpliced(slot, 0, change.summary), inserted: slot }
}

/** The id of a page made by the event at `seq` (one split or merge per list and event at most). */
const pageIdOf = (seq: number, part: number) => `${seq}${String.fromCharCode(97 + part)}`

/**
 * Makes one change to a user's list, at the event `seq`. Writes one page in the common case; a page that grows
 * past `pageSize` splits into two new pages, one that falls below a quarter merges with a neighbour. A page that
 * already reflects `seq` is left alone, so a replayed event changes nothing.
 */
export const applyToNoteList = async (
  store: NoteListStore,
  change: ListChange,
  seq: number,
  pageSize: number,
): Promise<void> => {
  const directory = await store.directory()
  const at = directory === undefined ? 0 : pageIndexFor(directory.pages, change.position)
  const target = directory?.pages[at]
  if (directory === undefined || target === undefined) {
    if (change.summary === undefined) return
    const id = pageIdOf(seq, 0)
    store.setPage(id, { notes: [change.summary], next: null, seq }, 'new')
    store.setHead({ first: id })
    store.setDirectory({ pages: [{ id, from: null }] })
    return
  }
  const page = await requirePage(store, target.id)
  if (page.seq >= seq) return
  const { notes, inserted } = withChange(page.notes, change)
  if (notes === page.notes) return
  if (notes.length > pageSize) {
    // Inserting at either end of a full page (the newest note, the usual case) starts a new page there, so
    // pages fill up instead of being left half full by a list that only grows at the front.
    const cut =
      inserted === 0 ? 1 : inserted === notes.length - 1 ? notes.length - 1 : Math.ceil(notes.length / 2)
    await replace(store, directory, at, 1, seq, [notes.slice(0, cut), notes.slice(cut)], page.next)
  } else if (notes.length < minimumFill(pageSize) && directory.pages.length > 1) {
    const other = at + 1 < directory.pages.length ? at + 1 : at - 1
    const neighbour = await requirePage(store, (directory.pages[other] as { id: string }).id)
    const combined = other > at ? [...notes, ...neighbour.notes] : [...neighbour.notes, ...notes]
    const half = Math.ceil(combined.length / 2)
    const parts = combined.length <= pageSize ? [combined] : [combined.slice(0, half), combined.slice(half)]
    const next = other > at ? neighbour.next : page.next
    await replace(store, directory, Math.min(at, other), 2, seq, parts, next)
  } else {
    store.setPage(target.id, { notes, next: page.next, seq }, 'in-place')
  }
}

/**
 * Replaces `count` pages from `at` by new pages holding `parts` in order: writes the new pages, points the page
 * before them (or the head) at the first, switches the directory, and deletes the replaced pages.
 */
const replace = async (
  store: NoteListStore,
  directory: NoteListDirectory,
  at: number,
  count: number,
  seq: number,
  parts: readonly NoteSummary[][],
  next: string | null,
) => {
  const ids = parts.map((_, part) => pageIdOf(seq, part))
  parts.forEach((notes, part) => {
    store.setPage(ids[part] as string, { notes, next: ids[part + 1] ?? next, seq }, 'new')
  })
  const replaced = directory.pages.slice(at, at + count)
  const entries = parts.map((notes, part) => ({
    id: ids[part] as string,
    from: part === 0 ? (replaced[0]?.from ?? null) : positionOf(notes[0] as NoteSummary),
  }))
  const pages = directory.pages.toSpliced(at, count, ...entries)
  const previous = pages[at - 1]
  if (previous === undefined) store.setHead({ first: entries[0]?.id as string })
  else {
    const before = await requirePage(store, previous.id)
    store.setPage(previous.id, { ...before, next: entries[0]?.id ?? next }, 'in-place')
  }
  store.setDirectory({ pages })
  for (const page of replaced) store.deletePage(page.id)
}

const requirePage = async (store: NoteListStore, id: string): Promise<NoteListPage> => {
  const page = await store.page(id)
  // The write order keeps every page the directory names; a missing one means the bucket was changed by hand.
  if (page === undefined) throw new Error(`note list page ${id} is missing`)
  return page
}
