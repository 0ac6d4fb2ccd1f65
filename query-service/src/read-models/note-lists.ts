import { ServiceUnavailableError } from '@jetnotes/platform'
import {
  type ListPosition,
  listOrder,
  type NoteListDirectory,
  type NoteListHead,
  type NoteListPage,
  type NoteSummary,
  noteListKeys,
  pageIndexFor,
  positionOf,
  slotOf,
} from '@jetnotes/schemas'
import type { ViewReader } from './watched-bucket.ts'

/** Where a list read starts: after a position, in the page that held it when the previous page was read. */
export type ListStart = { after: ListPosition; page?: string }

export type ListRead = {
  start?: ListStart
  limit: number
  /** Only summaries this accepts are returned (filters); every summary looked at counts towards `scanLimit`. */
  accepts?: (summary: NoteSummary) => boolean
  /** Most summaries one read looks at: a filtered read that finds too few stops there, with a place to go on. */
  scanLimit: number
}

/** Where a list is read from: the cache (a moment behind), and the bucket itself (for pages the cache lost). */
type ListSources = { cached: ViewReader; current: () => ViewReader }

/** A page of results, and where the next one starts (undefined at the end of the list). */
export type ListResult = { items: NoteSummary[]; next?: Required<ListStart> }

/**
 * Reads one user's note list (`note-lists`, see `noteListKeys`) a page at a time: from the head, or from a
 * cursor's page, following the pages' `next` links. The cost is the pages read, never the list's length: a
 * request reads about `limit` summaries, or `scanLimit` when filtering.
 *
 * `lists` may be a cache a moment behind the bucket; a page it names that is gone (split or merged since) is
 * found again through the directory in `current`, the bucket itself.
 */
export const readNoteList = async (
  lists: ListSources,
  userId: string,
  read: ListRead,
): Promise<ListResult> => {
  const items: NoteSummary[] = []
  let scanned = 0
  let after = read.start?.after
  let located = await firstPage(lists, userId, read.start)
  while (located !== undefined) {
    const { id, page } = located
    for (
      let index = after === undefined ? 0 : firstAfter(page.notes, after);
      index < page.notes.length;
      index++
    ) {
      const summary = page.notes[index] as NoteSummary
      scanned++
      if (read.accepts === undefined || read.accepts(summary)) items.push(summary)
      if (items.length >= read.limit || scanned >= read.scanLimit) {
        const more = index < page.notes.length - 1 || page.next !== null
        return more ? { items, next: { after: positionOf(summary), page: id } } : { items }
      }
    }
    const last = page.notes.at(-1)
    if (last !== undefined) after = positionOf(last)
    if (page.next === null) break
    located = await pageOrRelocate(lists, userId, page.next, after)
  }
  return { items }
}

type Located = { id: string; page: NoteListPage }

const firstPage = async (
  lists: ListSources,
  userId: string,
  start: ListStart | undefined,
): Promise<Located | undefined> => {
  if (start !== undefined) {
    return start.page === undefined
      ? relocate(lists.cached, userId, start.after).then(
          (found) => found ?? relocateOrFail(lists, userId, start.after),
        )
      : pageOrRelocate(lists, userId, start.page, start.after)
  }
  for (const reader of [lists.cached, lists.current()]) {
    const head = await value<NoteListHead>(reader, noteListKeys.head(userId))
    if (head === undefined) return undefined
    const page = await value<NoteListPage>(reader, noteListKeys.page(userId, head.first))
    if (page !== undefined) return { id: head.first, page }
  }
  throw unavailable()
}

/** The page `id`; when it has gone (split or merged since it was named), the page that now holds `after`. */
const pageOrRelocate = async (
  lists: ListSources,
  userId: string,
  id: string,
  after: ListPosition | undefined,
): Promise<Located | undefined> => {
  const page = await value<NoteListPage>(lists.cached, noteListKeys.page(userId, id))
  if (page !== undefined) return { id, page }
  if (after === undefined) return firstPage(lists, userId, undefined)
  return relocateOrFail(lists, userId, after)
}

const relocateOrFail = async (lists: ListSources, userId: string, after: ListPosition) => {
  const current = lists.current()
  const found = await relocate(current, userId, after)
  if (found === undefined && (await value(current, noteListKeys.head(userId))) !== undefined) {
    throw unavailable()
  }
  return found
}

/** Finds the page holding a position through the directory (its root, then one directory page). */
const relocate = async (
  reader: ViewReader,
  userId: string,
  position: ListPosition,
): Promise<Located | undefined> => {
  const root = await value<NoteListDirectory>(reader, noteListKeys.directory(userId))
  const directoryRef = root?.pages[pageIndexFor(root.pages, position)]
  if (directoryRef === undefined) return undefined
  const directory = await value<NoteListDirectory>(
    reader,
    noteListKeys.directoryPage(userId, directoryRef.id),
  )
  const entry = directory?.pages[pageIndexFor(directory.pages, position)]
  if (entry === undefined) return undefined
  const page = await value<NoteListPage>(reader, noteListKeys.page(userId, entry.id))
  return page === undefined ? undefined : { id: entry.id, page }
}

/** The index of the first summary after `position` (pages are sorted). */
const firstAfter = (notes: readonly NoteSummary[], position: ListPosition): number => {
  const slot = slotOf(notes, position)
  const at = notes[slot]
  return at !== undefined && listOrder(positionOf(at), position) === 0 ? slot + 1 : slot
}

const value = async <T>(reader: ViewReader, key: string): Promise<T | undefined> => {
  const entry = await reader.get(key)
  return entry?.operation === 'PUT' ? entry.json<T>() : undefined
}

// The list changed shape under this read twice in a row: rare, and the client can simply ask again.
const unavailable = () => new ServiceUnavailableError('The note list is being reorganised; try again', 1)
