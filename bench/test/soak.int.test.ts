import { rm } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { defaultSoakOptions, runSoak } from '../src/soak/run-soak.ts'

describe('a short soak with a fixed seed', () => {
  it('kills and pauses nats-server and the services under a random workload, and every check passes', async () => {
    const report = await runSoak({
      ...defaultSoakOptions,
      minutes: 0.2,
      seed: 7,
      faultEveryMs: 3_000,
      liveDwellMs: 3_000,
    })
    await rm(report.logDir, { recursive: true, force: true })
    expect(report.faults.length).toBeGreaterThanOrEqual(2)
    // Seed 7 SIGKILLs nats-server as its second fault: the live streams must resume at once (followStream),
    // well within the soak's catch-up wait.
    expect(report.faults.some((fault) => fault.process === 'nats-server' && fault.kind === 'SIGKILL')).toBe(
      true,
    )
    expect(report.faults.filter((fault) => fault.error !== undefined)).toEqual([])
    expect(report.acked).toBeGreaterThan(50)
    expect(report.live.resumes).toBeGreaterThan(0)
    for (const check of report.checks) {
      expect(check.failures, check.name).toEqual([])
      expect(check.checked, check.name).toBeGreaterThan(0)
    }
    expect(report.passed).toBe(true)
  }, 90_000)
})
