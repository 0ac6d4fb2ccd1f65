import type { NoteSummary } from './view.ts'

/** Where a note sits in a list: its creation time, then its id. Neither ever changes, so neither does its place. */
export type ListPosition = readonly [createdAt: string, id: string]

export const positionOf = (note: Pick<NoteSummary, 'createdAt' | 'id'>): ListPosition => [
  note.createdAt,
  note.id,
]

/**
 * The order of every note list: newest first, notes created in the same millisecond by id (descending), so the
 * order is total and stable. Negative when `a` comes before `b`.
 */
export const listOrder = (a: ListPosition, b: ListPosition): number => {
  if (a[0] !== b[0]) return a[0] < b[0] ? 1 : -1
  return a[1] === b[1] ? 0 : a[1] < b[1] ? 1 : -1
}

/** `listOrder` for summaries (sort with it). */
export const newestFirst = (a: NoteSummary, b: NoteSummary) => listOrder(positionOf(a), positionOf(b))

/**
 * The page of a paged list that holds (or would hold) a position: the last page whose bound (`from`, the newest
 * position it may hold; `null` for the first page) is not after it. Binary search over the directory.
 */
export const pageIndexFor = (
  pages: readonly { from: ListPosition | null }[],
  position: ListPosition,
): number => {
  let low = 0
  let high = pages.length - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    const from = pages[middle]?.from ?? null
    if (from === null || listOrder(from, position) <= 0) low = middle
    else high = middle - 1
  }
  return low
}

/** Where a position is, or would go, in a sorted run of summaries: the first one not before it (binary search). */
export const slotOf = (notes: readonly NoteSummary[], position: ListPosition): number => {
  let low = 0
  let high = notes.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (listOrder(positionOf(notes[middle] as NoteSummary), position) < 0) low = middle + 1
    else high = middle
  }
  return low
}
