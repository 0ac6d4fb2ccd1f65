import { describe, expect, it } from 'vitest'
import { defaultBackoff, nextAttempt, restartDelay } from '../start/backoff.ts'

describe('the restart backoff', () => {
  it('starts at half a second and doubles up to 10 s', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => restartDelay(attempt, defaultBackoff))
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000])
  })

  it('counts crashes in a row, and starts again after a process stayed up a minute', () => {
    expect(nextAttempt(0, 0, defaultBackoff)).toBe(1)
    expect(nextAttempt(3, 59_999, defaultBackoff)).toBe(4)
    expect(nextAttempt(3, 60_000, defaultBackoff)).toBe(1)
  })
})
