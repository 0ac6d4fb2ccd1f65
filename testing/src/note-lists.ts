import {
  type ListPosition,
  listOrder,
  type NoteListDirectory,
  type NoteListHead,
  type NoteListPage,
  type NoteSummary,
  positionOf,
} from '@jetnotes/schemas'

/** What a bucket of the `note-lists` read model holds for each user, and whether its structure is sound. */
export type NoteListsContent = {
  /** Each user's list, read as the query-service reads it: from the head, following the pages' links. */
  lists: Map<string, NoteSummary[]>
  /** Every way the structure is broken (empty when sound). */
  problems: string[]
  /** Entries no directory names (left by a crash between a split's writes; invisible to readers). */
  orphans: string[]
  /** Pages of summaries, over every list. */
  pages: number
}

/**
 * Reads every user's paged note list out of a `note-lists` bucket's entries (key -> parsed value, as
 * `readBucket` returns them) and checks the structure: the root names directory pages, which name pages, in
 * list order; the head names the first page; following the links from the head visits exactly the pages the
 * directory names, in its order; each page is sorted, within its bounds, at most `pageSize` long, and not empty
 * unless it is the only one; each directory page has 1 to `directorySize` pages.
 */
export const noteListsOf = (
  entries: ReadonlyMap<string, unknown>,
  { pageSize, directorySize }: { pageSize: number; directorySize: number },
): NoteListsContent => {
  const lists = new Map<string, NoteSummary[]>()
  const problems: string[] = []
  const named = new Set<string>()
  let pages = 0
  for (const [key, value] of entries) {
    if (key.includes('.') || key.startsWith('=')) continue
    const userId = key
    const problem = (text: string) => problems.push(`${userId}: ${text}`)
    const head = value as NoteListHead
    const root = entries.get(`${userId}.dir`) as NoteListDirectory | undefined
    if (root === undefined || root.pages.length === 0) {
      problem('a head without a directory')
      continue
    }
    named.add(`${userId}.dir`)
    if (root.pages[0]?.from !== null) problem('the first directory page has a bound')
    // Every page in directory order, with the bounds it must keep: [newest allowed, first of the next page).
    const ordered: { id: string; upper: ListPosition | null }[] = []
    root.pages.forEach((directoryRef) => {
      const key = `${userId}.d.${directoryRef.id}`
      named.add(key)
      const directory = entries.get(key) as NoteListDirectory | undefined
      if (directory === undefined) {
        problem(`directory page ${directoryRef.id} is missing`)
        return
      }
      if (directory.pages.length === 0 || directory.pages.length > directorySize)
        problem(`directory page ${directoryRef.id} names ${directory.pages.length} pages`)
      if (directory.pages[0]?.from !== null)
        problem(`directory page ${directoryRef.id} bounds its first page`)
      directory.pages.forEach((ref, index) => {
        ordered.push({ id: ref.id, upper: index === 0 ? directoryRef.from : ref.from })
      })
    })
    if (ordered[0]?.id !== head.first) problem(`the head names ${head.first}`)
    const notes: NoteSummary[] = []
    ordered.forEach((entry, index) => {
      const key = `${userId}.p.${entry.id}`
      named.add(key)
      pages++
      const page = entries.get(key) as NoteListPage | undefined
      if (page === undefined) {
        problem(`page ${entry.id} is missing`)
        return
      }
      const nextId = ordered[index + 1]?.id ?? null
      if (page.next !== nextId) problem(`page ${entry.id} links to ${page.next}, not ${nextId}`)
      if (page.notes.length > pageSize) problem(`page ${entry.id} holds ${page.notes.length}`)
      if (page.notes.length === 0 && ordered.length > 1) problem(`page ${entry.id} is empty`)
      const lower = ordered[index + 1]?.upper
      for (const note of page.notes) {
        const position = positionOf(note)
        if (
          (entry.upper !== null && listOrder(position, entry.upper) < 0) ||
          (lower && listOrder(position, lower) >= 0)
        )
          problem(`${note.id} is outside page ${entry.id}'s bounds`)
      }
      notes.push(...page.notes)
    })
    for (let index = 1; index < notes.length; index++) {
      const [before, after] = [notes[index - 1] as NoteSummary, notes[index] as NoteSummary]
      if (listOrder(positionOf(before), positionOf(after)) >= 0)
        problem(`${before.id} and ${after.id} are out of order`)
    }
    lists.set(userId, notes)
  }
  const orphans = [...entries.keys()].filter((key) => /\.(p|d)\./.test(key) && !named.has(key))
  return { lists, problems, orphans, pages }
}
