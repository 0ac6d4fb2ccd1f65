import { describe, expect, it } from 'vitest'
import { ownerDistribution } from '../src/scale/owner-distribution.ts'

describe('ownerDistribution', () => {
  it('draws the same owners for the same seed, always among the users', () => {
    const draw = () => Array.from({ length: 1_000 }, ownerDistribution(500, 7).next)
    const owners = draw()
    expect(owners).toEqual(draw())
    expect(owners.every((owner) => owner >= 0 && owner < 500)).toBe(true)
  })

  it('gives the first users most notes: about their Zipf share', () => {
    const owners = ownerDistribution(10_000)
    const counts = new Map<number, number>()
    const draws = 100_000
    for (let index = 0; index < draws; index++) {
      const owner = owners.next()
      counts.set(owner, (counts.get(owner) ?? 0) + 1)
    }
    const first = (counts.get(0) ?? 0) / draws
    expect(first).toBeGreaterThan(owners.shareOf(0) * 0.9)
    expect(first).toBeLessThan(owners.shareOf(0) * 1.1)
    expect(counts.get(0) ?? 0).toBeGreaterThan((counts.get(99) ?? 0) * 20)
  })
})
