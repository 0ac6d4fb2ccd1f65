import { describe, expect, it } from 'vitest'
import { acceptedEvents, refusalOf, versionOf } from '../src/event-log/next-version.ts'

const commit = (...versions: number[]) => versions.map((version) => ({ version }))

describe('the rule of the next version', () => {
  it('accepts a commit whose first event carries the version after the current one', () => {
    expect(refusalOf(null, commit(1))).toBeUndefined()
    expect(refusalOf({ version: 4 }, commit(5))).toBeUndefined()
    expect(refusalOf({ version: 4 }, commit(5, 6, 7))).toBeUndefined()
  })

  it('refuses a commit that repeats the current version (the loser of a race), with the reason', () => {
    expect(refusalOf({ version: 4 }, commit(4))).toBe(
      'its first event has version 4, not 5 (the aggregate is at version 4): another commit reached the aggregate first',
    )
    expect(refusalOf({ version: 4 }, commit(4, 5))).toBeDefined()
  })

  it('refuses a commit from the past, one that skips versions, and a second creation', () => {
    expect(refusalOf({ version: 4 }, commit(2))).toBeDefined()
    expect(refusalOf({ version: 4 }, commit(6))).toBeDefined()
    expect(refusalOf({ version: 1 }, commit(1))).toBeDefined()
    expect(refusalOf(null, commit(2))).toBeDefined()
  })

  it('refuses a commit without events (it continues nothing)', () => {
    expect(refusalOf({ version: 4 }, [])).toBeDefined()
  })

  it('gives the events to fold: all of an accepted commit, none of a refused one', () => {
    const accepted = commit(5, 6)
    expect(acceptedEvents({ version: 4 }, accepted)).toBe(accepted)
    expect(acceptedEvents({ version: 5 }, accepted)).toEqual([])
  })

  it('counts an aggregate without events as version 0', () => {
    expect(versionOf(null)).toBe(0)
    expect(versionOf({ version: 3 })).toBe(3)
  })
})
