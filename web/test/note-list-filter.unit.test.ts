import { describe, expect, it } from 'vitest'
import { filterOf, listQuery, matchesFilter, noFilter, tagProblem } from '../app/logic/note-list-filter.ts'
import { newestFirst } from '../app/logic/note-list-order.ts'

describe('the note list filter', () => {
  it('reads a typed tag as the API stores tags: trimmed, lower-case, without "#"', () => {
    expect(filterOf('  plans ', ' #Work ')).toEqual({ q: 'plans', tag: 'work' })
  })

  it('says when a tag could never match', () => {
    expect(tagProblem('two words')).toMatch(/letters, digits/)
    expect(tagProblem('ok_tag-1')).toBeUndefined()
    expect(tagProblem('')).toBeUndefined()
  })

  it('matches the title in any case and the tag exactly', () => {
    const note = { title: 'Weekly Plans', tags: ['work', 'q3'] }
    expect(matchesFilter(note, { q: 'PLAN', tag: '' })).toBe(true)
    expect(matchesFilter(note, { q: 'plan', tag: 'work' })).toBe(true)
    expect(matchesFilter(note, { q: '', tag: 'wor' })).toBe(false)
    expect(matchesFilter(note, noFilter)).toBe(true)
  })

  it('builds the list query with only what is set, and leaves out a tag the API would refuse', () => {
    expect(listQuery(noFilter, null, 50)).toBe('limit=50')
    expect(listQuery({ q: 'a b', tag: 'work' }, 'abc', 50)).toBe('limit=50&cursor=abc&q=a+b&tag=work')
    expect(listQuery({ q: '', tag: 'no good' }, null, 50)).toBe('limit=50')
  })
})

describe('the list order', () => {
  it('puts the newest created first, and the larger id first within one millisecond', () => {
    const t1 = '2026-01-01T00:00:00.000Z'
    const t2 = '2026-01-01T00:00:01.000Z'
    const sorted = [
      { id: 'a', createdAt: t1 },
      { id: 'b', createdAt: t2 },
      { id: 'c', createdAt: t1 },
    ].sort(newestFirst)
    expect(sorted.map((n) => n.id)).toEqual(['b', 'c', 'a'])
  })
})
