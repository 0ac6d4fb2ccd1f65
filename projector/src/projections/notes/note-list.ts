import {
  type ListPosition,
  type NoteListDirectory,
  type NoteListHead,
  type NoteListPage,
  type NoteSummary,
  noteListKeys,
  type PageRef,
  pageIndexFor,
  positionOf,
  slotOf,
} from '@jetnotes/schemas'

/**
 * One user's paged note list as the fold reads and writes it (see `noteListKeys` in schemas for the entries):
 * pages of summaries, directory pages naming the pages, a root naming the directory pages, and a head naming
 * the first page.
 *
 * A page or a directory page is rewritten in place when what it holds changes; a split or a merge makes new
 * ones (new ids) and switches to them one level up. Writes go out in stages, in the order of `NoteListWrite`
 * (deletions last), so whatever a crash leaves written, everything the head, the root and the directory pages
 * name exists, the links between pages lead through the list, and a replay of the unacknowledged events
 * recomputes what did not reach the level above from the same unchanged entries, with the same ids.
 */
export type NoteListStore = {
  head(): Promise<NoteListHead | undefined>
  root(): Promise<NoteListDirectory | undefined>
  directoryPage(id: string): Promise<NoteListDirectory | undefined>
  page(id: string): Promise<NoteListPage | undefined>
  write(kind: NoteListWrite, id: string, value: NoteListHead | NoteListDirectory | NoteListPage): void
  delete(kind: 'page' | 'directory-page', id: string): void
}

/** The kinds of write, in the order they go out. */
export const noteListWrites = [
  'new-page',
  'page',
  'new-directory-page',
  'head',
  'directory-page',
  'root',
] as const
export type NoteListWrite = (typeof noteListWrites)[number]

/** The key of one of a user's list entries in the `note-lists` bucket. */
export const noteListKeyOf = (userId: string, kind: NoteListWrite, id: string) => {
  switch (kind) {
    case 'head':
      return noteListKeys.head(userId)
    case 'root':
      return noteListKeys.directory(userId)
    case 'new-directory-page':
    case 'directory-page':
      return noteListKeys.directoryPage(userId, id)
    case 'new-page':
    case 'page':
      return noteListKeys.page(userId, id)
    default: {
      const unknown: never = kind
      return unknown
    }
  }
}

/** A note as one user's list should now show it: `summary` undefined when they can no longer see it. */
export type ListChange = { noteId: string; position: ListPosition; summary: NoteSummary | undefined }

/** Sizes: most summaries in a page, most pages in a directory page. */
export type NoteListSizes = { pageSize: number; directorySize: number }

/** Below a quarter full, a page (or directory page) merges with a neighbour, so a read crosses few of them. */
export const minimumFill = (size: number) => Math.max(1, Math.floor(size / 4))

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

/** The id of an entry made by the event at `seq` (one split or merge per level, list and event at most). */
const idOf = (seq: number, part: number) => `${seq}${String.fromCharCode(97 + part)}`

/** Halves, or the parts around an insertion at either end (so a list that grows at one end has full pages). */
const cutAt = (length: number, inserted: number | undefined) =>
  inserted === 0 ? 1 : inserted === length - 1 ? length - 1 : Math.ceil(length / 2)

/** Where a change lands: the directory page (index `at` in the root) of the list at event `seq`. */
type Place = {
  store: NoteListStore
  seq: number
  sizes: NoteListSizes
  root: NoteListDirectory
  at: number
  directory: NoteListDirectory
}

/**
 * Makes one change to a user's list, at the event `seq`. Writes one page in the common case; a page that grows
 * past the page size splits into two new pages, one that falls below a quarter merges with a neighbour in its
 * directory page, and a directory page does the same one level up. A page that already reflects `seq` is left
 * alone, so a replayed event changes nothing.
 */
export const applyToNoteList = async (
  store: NoteListStore,
  change: ListChange,
  seq: number,
  sizes: NoteListSizes,
): Promise<void> => {
  const root = await store.root()
  if (root === undefined || root.pages.length === 0) {
    if (change.summary === undefined) return
    const id = idOf(seq, 0)
    store.write('new-page', id, { notes: [change.summary], next: null, seq })
    store.write('new-directory-page', id, { pages: [{ id, from: null }] })
    store.write('head', '', { first: id })
    store.write('root', '', { pages: [{ id, from: null }] })
    return
  }
  const at = pageIndexFor(root.pages, change.position)
  const directory = await requireDirectoryPage(store, (root.pages[at] as PageRef).id)
  const slot = pageIndexFor(directory.pages, change.position)
  const ref = directory.pages[slot] as PageRef
  const page = await requirePage(store, ref.id)
  if (page.seq >= seq) return
  const { notes, inserted } = withChange(page.notes, change)
  if (notes === page.notes) return
  const place: Place = { store, seq, sizes, root, at, directory }
  const alone = directory.pages.length === 1
  if (notes.length > sizes.pageSize) {
    const cut = cutAt(notes.length, inserted)
    await replacePages(place, slot, 1, [notes.slice(0, cut), notes.slice(cut)])
  } else if (notes.length < minimumFill(sizes.pageSize) && !alone) {
    const other = slot + 1 < directory.pages.length ? slot + 1 : slot - 1
    const neighbour = await requirePage(store, (directory.pages[other] as PageRef).id)
    const combined = other > slot ? [...notes, ...neighbour.notes] : [...neighbour.notes, ...notes]
    const half = Math.ceil(combined.length / 2)
    const parts =
      combined.length <= sizes.pageSize ? [combined] : [combined.slice(0, half), combined.slice(half)]
    await replacePages(place, Math.min(slot, other), 2, parts)
  } else if (notes.length === 0 && alone && root.pages.length > 1) {
    await removeDirectoryPage(place)
  } else {
    store.write('page', ref.id, { notes, next: page.next, seq })
  }
}

/**
 * Replaces `count` pages from `slot` of a directory page by new pages holding `parts`: writes them, points the
 * page before them (or the head) at the first, then changes the directory page, and deletes the old pages.
 */
const replacePages = async (place: Place, slot: number, count: number, parts: readonly NoteSummary[][]) => {
  const { store, seq, directory } = place
  const ids = parts.map((_, part) => idOf(seq, part))
  const next = await pageAfter(place, slot + count)
  parts.forEach((notes, part) => {
    store.write('new-page', ids[part] as string, { notes, next: ids[part + 1] ?? next, seq })
  })
  const replaced = directory.pages.slice(slot, slot + count)
  const refs = parts.map((notes, part) => ({
    id: ids[part] as string,
    from: part === 0 ? (replaced[0]?.from ?? null) : positionOf(notes[0] as NoteSummary),
  }))
  await pointAt(place, slot, ids[0] as string)
  const pages = directory.pages.toSpliced(slot, count, ...refs)
  // A list growing at one end grows its directory pages there too: a split there leaves full ones behind.
  const grown = slot === 0 ? 0 : slot + refs.length === pages.length ? pages.length - 1 : undefined
  await changeDirectoryPage(place, pages, grown)
  for (const page of replaced) store.delete('page', page.id)
}

/** The last page of a directory page that empties goes, and so does the directory page. */
const removeDirectoryPage = async (place: Place) => {
  const { store, root, at, directory } = place
  const next = await pageAfter(place, directory.pages.length)
  const pages = root.pages.toSpliced(at, 1)
  if (at === 0 && pages[0] !== undefined) pages[0] = { ...pages[0], from: null }
  await pointAt(place, 0, next)
  store.write('root', '', { pages })
  for (const ref of directory.pages) store.delete('page', ref.id)
  store.delete('directory-page', (root.pages[at] as PageRef).id)
}

/**
 * The page that follows `slot` of the directory page in the list (perhaps the first of the next directory page),
 * as the directory says. New pages take their link from here, never from the page they replace: that page's
 * link may be one a crash kept from being rewritten (its successor was replaced in a batch that also replaced
 * it), and a replay that finds the successor's change already written does not redo it.
 */
const pageAfter = async ({ store, root, at, directory }: Place, slot: number): Promise<string | null> => {
  const inPage = directory.pages[slot]
  if (inPage !== undefined) return inPage.id
  const nextDirectory = root.pages[at + 1]
  if (nextDirectory === undefined) return null
  return (await requireDirectoryPage(store, nextDirectory.id)).pages[0]?.id ?? null
}

/**
 * Links the page before `slot` of the directory page (perhaps the last of the directory page before), or the
 * head, to `id` (`null`: the end of the list). The page then reflects `seq` too: every write of a page carries
 * the position of the event that made it, so a fenced write can tell an older page from a newer one.
 */
const pointAt = async ({ store, seq, root, at, directory }: Place, slot: number, id: string | null) => {
  const previous =
    slot > 0
      ? directory.pages[slot - 1]
      : at > 0
        ? (await requireDirectoryPage(store, (root.pages[at - 1] as PageRef).id)).pages.at(-1)
        : undefined
  if (previous === undefined) {
    // The first page is never the last one removed (the list keeps a page), so the head always names one.
    if (id !== null) store.write('head', '', { first: id })
    return
  }
  const page = await requirePage(store, previous.id)
  store.write('page', previous.id, { ...page, next: id, seq })
}

/**
 * Gives the directory page its new pages: in place, or, past the directory size, split into two new directory
 * pages, or, below a quarter, merged with a neighbour (new directory pages, then the root).
 */
const changeDirectoryPage = async (place: Place, pages: PageRef[], grown: number | undefined) => {
  const { store, sizes, root, at } = place
  const own = root.pages[at] as PageRef
  if (pages.length > sizes.directorySize) {
    const cut = cutAt(pages.length, grown)
    return replaceDirectoryPages(place, at, 1, [pages.slice(0, cut), pages.slice(cut)], own.from)
  }
  if (pages.length < minimumFill(sizes.directorySize) && root.pages.length > 1) {
    const other = at + 1 < root.pages.length ? at + 1 : at - 1
    const otherRef = root.pages[other] as PageRef
    const neighbour = await requireDirectoryPage(store, otherRef.id)
    // Inside a directory page the first bound is the directory page's own: the second one's comes from the root.
    const [first, second] = other > at ? [pages, neighbour.pages] : [neighbour.pages, pages]
    const secondFrom = (other > at ? otherRef : own).from
    const combined = [
      ...first,
      ...second.map((ref, index) => (index === 0 ? { ...ref, from: secondFrom } : ref)),
    ]
    const half = Math.ceil(combined.length / 2)
    const parts =
      combined.length <= sizes.directorySize ? [combined] : [combined.slice(0, half), combined.slice(half)]
    const from = (root.pages[Math.min(at, other)] as PageRef).from
    return replaceDirectoryPages(place, Math.min(at, other), 2, parts, from)
  }
  store.write('directory-page', own.id, { pages })
}

const replaceDirectoryPages = (
  { store, seq, root }: Place,
  at: number,
  count: number,
  parts: readonly PageRef[][],
  from: ListPosition | null,
) => {
  const ids = parts.map((_, part) => idOf(seq, part))
  const refs = parts.map((pages, part) => ({
    id: ids[part] as string,
    from: part === 0 ? from : ((pages[0] as PageRef).from ?? null),
  }))
  parts.forEach((pages, part) => {
    const own = pages.map((ref, index) => (index === 0 ? { ...ref, from: null } : ref))
    store.write('new-directory-page', ids[part] as string, { pages: own })
  })
  store.write('root', '', { pages: root.pages.toSpliced(at, count, ...refs) })
  for (const ref of root.pages.slice(at, at + count)) store.delete('directory-page', ref.id)
}

const requirePage = async (store: NoteListStore, id: string): Promise<NoteListPage> => {
  const page = await store.page(id)
  // The write order keeps every page the directory names; a missing one means the bucket was changed by hand.
  if (page === undefined) throw new Error(`note list page ${id} is missing`)
  return page
}

const requireDirectoryPage = async (store: NoteListStore, id: string): Promise<NoteListDirectory> => {
  const page = await store.directoryPage(id)
  if (page === undefined) throw new Error(`note list directory page ${id} is missing`)
  return page
}
