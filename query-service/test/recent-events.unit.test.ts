import { describe, expect, it } from 'vitest'
import { RecentEvents } from '../src/live/recent-events.ts'

describe('the recent events kept for resumes', () => {
  it('keeps the newest within the budget, oldest first, and says which was dropped last', () => {
    const recent = new RecentEvents<number>(30, () => 10)
    expect([1, 2, 3].map((item) => recent.push(item))).toEqual([undefined, undefined, undefined])
    expect(recent.push(4)).toBe(1)
    expect([...recent]).toEqual([2, 3, 4])
  })

  it('stays in order across many drops and compactions', () => {
    const recent = new RecentEvents<number>(500, () => 1)
    for (let item = 0; item < 10_000; item++) recent.push(item)
    expect([...recent]).toEqual(Array.from({ length: 500 }, (_, index) => 9_500 + index))
  })

  it('always keeps the newest, even when it alone is over the budget', () => {
    const recent = new RecentEvents<string>(5, (item) => item.length)
    recent.push('small')
    expect(recent.push('much too large')).toBe('small')
    expect([...recent]).toEqual(['much too large'])
  })
})
