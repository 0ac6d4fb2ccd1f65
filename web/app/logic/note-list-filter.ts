import type { NoteSummary } from '../api/types.ts'

/** What the list is narrowed to, as the API reads it: `q` a part of the title, `tag` one tag ('' for none). */
export type ListFilter = { q: string; tag: string }

export const noFilter: ListFilter = { q: '', tag: '' }

const tagPattern = /^[\p{L}\p{N}_-]{1,40}$/u

/** The filter as typed, made what the API compares: the search trimmed, the tag trimmed, lower-case, no `#`. */
export const filterOf = (search: string, tag: string): ListFilter => ({
  q: search.trim().slice(0, 200),
  tag: tag.trim().replace(/^#/, '').toLowerCase(),
})

/** Why the API would refuse this tag (the rule of the note's tags), or undefined when it is fine. */
export const tagProblem = (tag: string): string | undefined =>
  tag === '' || tagPattern.test(tag) ? undefined : 'A tag is 1 to 40 letters, digits, "_" or "-".'

/** Whether the API would list the note under this filter (the query-service's comparison: any case). */
export const matchesFilter = (note: Pick<NoteSummary, 'title' | 'tags'>, filter: ListFilter): boolean =>
  (filter.tag === '' || note.tags.includes(filter.tag)) &&
  (filter.q === '' || note.title.toLowerCase().includes(filter.q.toLowerCase()))

/** The query string of `GET /api/notes` for one page. */
export const listQuery = (filter: ListFilter, cursor: string | null, limit: number): string => {
  const query = new URLSearchParams({ limit: String(limit) })
  if (cursor !== null) query.set('cursor', cursor)
  if (filter.q !== '') query.set('q', filter.q)
  if (filter.tag !== '' && tagProblem(filter.tag) === undefined) query.set('tag', filter.tag)
  return query.toString()
}
