import { describe, expect, it } from 'vitest'
import { compareVersions, currentVersionIn } from '../app/logic/conflict.ts'

const base = { title: 'Groceries', body: 'milk', tags: ['home'] }

describe('comparing my version with theirs', () => {
  it('marks the fields that differ and who changed each since the base', () => {
    const mine = { ...base, title: 'Shopping', tags: ['home', 'food'] }
    const theirs = { ...base, body: 'milk, eggs', tags: ['home', 'food'] }
    expect(
      compareVersions(base, mine, theirs).map(({ field, differs, changedBy }) => ({
        field,
        differs,
        changedBy,
      })),
    ).toEqual([
      { field: 'title', differs: true, changedBy: 'me' },
      { field: 'body', differs: true, changedBy: 'them' },
      { field: 'tags', differs: false, changedBy: 'both-alike' },
    ])
  })

  it('tells a real clash: both changed one field differently', () => {
    const [title] = compareVersions(base, { ...base, title: 'Mine' }, { ...base, title: 'Theirs' })
    expect(title).toMatchObject({ differs: true, changedBy: 'both', mine: 'Mine', theirs: 'Theirs' })
  })

  it('finds nothing to resolve in identical versions', () => {
    expect(
      compareVersions(base, base, base).every((field) => !field.differs && field.changedBy === 'nobody'),
    ).toBe(true)
  })
})

describe('a 412 problem', () => {
  it('names the current version', () => {
    expect(currentVersionIn({ type: 'urn:jetnotes:problem:version-conflict', currentVersion: 5 })).toBe(5)
    expect(currentVersionIn({ type: 'urn:jetnotes:problem:version-conflict' })).toBeUndefined()
    expect(currentVersionIn({ currentVersion: '5' })).toBeUndefined()
    expect(currentVersionIn(undefined)).toBeUndefined()
  })
})
