import { describe, expect, it } from 'vitest'
import { upgradeRatio } from '../src/metrics.ts'

describe("an upgrade rebuild's progress as one ratio", () => {
  it('counts the replay as the first half and the writes as the second', () => {
    expect(upgradeRatio({ phase: 'replay', seq: 0, lastSeq: 100 })).toBe(0)
    expect(upgradeRatio({ phase: 'replay', seq: 50, lastSeq: 100 })).toBe(0.25)
    expect(upgradeRatio({ phase: 'write', written: 0, total: 40 })).toBe(0.5)
    expect(upgradeRatio({ phase: 'write', written: 30, total: 40 })).toBe(0.875)
    expect(upgradeRatio({ phase: 'switch', from: 1, to: 2 })).toBe(1)
    expect(upgradeRatio({ phase: 'cleanup', generation: 1 })).toBe(1)
  })

  it('is done with a phase that has nothing to do', () => {
    expect(upgradeRatio({ phase: 'replay', seq: 0, lastSeq: 0 })).toBe(0.5)
    expect(upgradeRatio({ phase: 'write', written: 0, total: 0 })).toBe(1)
  })
})
