import {
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
  /** Page entries no directory names (left by a crash between a split's writes; invisible to readers). */
  orphans: string[]
}

/**
 * Reads every user's paged note list out of a `note-lists` bucket's entries (key -> parsed value, as
 * `readBucket` returns them) and checks the structure: the head names the directory's first page, the links
 * follow the directory, each page is sorted, within its directory bounds, at most `pageSize` long, and not empty
 * unless it is the only one.
 */
export const noteListsOf = (entries: ReadonlyMap<string, unknown>, pageSize: number): NoteListsContent => {
  const lists = new Map<string, NoteSummary[]>()
  const problems: string[] = []
  const named = new Set<string>()
  for (const [key, value] of entries) {
    if (key.includes('.')) continue
    const userId = key
    const head = value as NoteListHead
    const directory = entries.get(`${userId}.dir`) as NoteListDirectory | undefined
    if (directory === undefined) {
      problems.push(`${userId}: a head without a directory`)
      continue
    }
    if (directory.pages[0]?.id !== head.first) problems.push(`${userId}: the head names ${head.first}`)
    const notes: NoteSummary[] = []
    directory.pages.forEach((entry, index) => {
      const key = `${userId}.p.${entry.id}`
      named.add(key)
      const page = entries.get(key) as NoteListPage | undefined
      if (page === undefined) {
        problems.push(`${userId}: page ${entry.id} is missing`)
        return
      }
      const nextId = directory.pages[index + 1]?.id ?? null
      if (page.next !== nextId)
        problems.push(`${userId}: page ${entry.id} links to ${page.next}, not ${nextId}`)
      if (page.notes.length > pageSize)
        problems.push(`${userId}: page ${entry.id} holds ${page.notes.length}`)
      if (page.notes.length === 0 && directory.pages.length > 1)
        problems.push(`${userId}: page ${entry.id} is empty`)
      const upper = entry.from
      const lower = directory.pages[index + 1]?.from
      for (const note of page.notes) {
        const position = positionOf(note)
        if ((upper !== null && listOrder(position, upper) < 0) || (lower && listOrder(position, lower) >= 0))
          problems.push(`${userId}: ${note.id} is outside page ${entry.id}'s bounds`)
      }
      notes.push(...page.notes)
    })
    for (let index = 1; index < notes.length; index++) {
      const [before, after] = [notes[index - 1] as NoteSummary, notes[index] as NoteSummary]
      if (listOrder(positionOf(before), positionOf(after)) >= 0)
        problems.push(`${userId}: ${before.id} and ${after.id} are out of order`)
    }
    lists.set(userId, notes)
  }
  const orphans = [...entries.keys()].filter((key) => key.includes('.p.') && !named.has(key))
  return { lists, problems, orphans }
}
