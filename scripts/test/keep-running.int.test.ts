import { describe, expect, it } from 'vitest'
import { keepRunning } from '../start/keep-running.ts'
import { isRunning, supervise } from '../start/processes.ts'

const fast = { initialMs: 50, maxMs: 200, stableMs: 60_000 }

/** A node process that runs `script`. */
const node = (script: string) => () => supervise('test', process.execPath, ['-e', script], { index: 0 })

describe('a process kept running', () => {
  it('is started again each time it crashes, until stopped', async () => {
    let starts = 0
    const kept = keepRunning({
      name: 'crasher',
      start: () => {
        starts++
        return node('process.exit(1)')()
      },
      backoff: fast,
    })
    await expect.poll(() => kept.restarts, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    await kept.stop()
    const after = starts
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(starts).toBe(after)
  })

  it('stops for good while a restart is pending, and stops a running process', async () => {
    const crashing = keepRunning({
      name: 'crasher',
      start: node('process.exit(1)'),
      backoff: { ...fast, initialMs: 5_000 },
    })
    const first = await crashing.started
    await first.exited
    await crashing.stop()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(crashing.restarts).toBe(0)

    const sleeper = keepRunning({
      name: 'sleeper',
      start: node('setInterval(() => {}, 1000)'),
      backoff: fast,
    })
    const running = await sleeper.started
    await sleeper.stop()
    expect(isRunning(running)).toBe(false)
    expect(sleeper.restarts).toBe(0)
  })

  it('once told to stop restarting, leaves a crashed process down but can still stop a running one', async () => {
    const crashing = keepRunning({ name: 'crasher', start: node('process.exit(1)'), backoff: fast })
    crashing.stopRestarting()
    await (await crashing.started).exited
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(crashing.restarts).toBe(0)

    const sleeper = keepRunning({
      name: 'sleeper',
      start: node('setInterval(() => {}, 1000)'),
      backoff: fast,
    })
    const running = await sleeper.started
    sleeper.stopRestarting()
    expect(isRunning(running)).toBe(true)
    await sleeper.stop()
    expect(isRunning(running)).toBe(false)
  })

  it('gives up on an exit code no restart can cure', async () => {
    let gaveUp: string | undefined
    const kept = keepRunning({
      name: 'misconfigured',
      start: node('process.exit(2)'),
      backoff: fast,
      fatalExitCodes: [2],
      onGiveUp: (reason) => {
        gaveUp = reason
      },
    })
    await expect.poll(() => gaveUp, { timeout: 10_000 }).toMatch(/exit code 2/)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(kept.restarts).toBe(0)
  })
})
