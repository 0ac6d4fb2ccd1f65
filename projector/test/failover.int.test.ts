import { Generations, projectionStatus, projectionsWith, startProjector } from '@jetnotes/projector'
import { type ProjectionName, projectionNames } from '@jetnotes/schemas'
import {
  caughtUp,
  createNote,
  expectViewsEqualFold,
  foldNotes,
  generationsOf,
  type ProjectorProcess,
  type RunningSystem,
  registerUser,
  startCreateLoad,
  startProjectorProcess,
  startSystem,
} from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { describe, expect, it } from 'vitest'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Who holds each projection's lease, as `npm run projections` shows it. */
const holders = async (system: RunningSystem) => {
  const statuses = await projectionStatus(system.jsm, await generationsOf(system))
  return Object.fromEntries(statuses.map((status) => [status.projection, status.holder])) as Record<
    ProjectionName,
    string | undefined
  >
}

/** A projector process's holder id names its pid. */
const isHeldBy = (holder: string | undefined, process: ProjectorProcess) =>
  holder?.includes(`:${process.child.pid}:`) ?? false

/** Waits until `process` holds every projection; returns how long that took. */
const untilHolding = async (system: RunningSystem, process: ProjectorProcess, timeout: number) => {
  const started = performance.now()
  await expect
    .poll(
      async () => {
        const held = await holders(system)
        return projectionNames.every((projection) => isHeldBy(held[projection], process))
      },
      { timeout, interval: 25 },
    )
    .toBe(true)
  return performance.now() - started
}

/** A standby watches each lease (a KV watch filtered on it); the holder does not. */
const untilStandingBy = async (system: RunningSystem, count: number) => {
  await expect
    .poll(
      async () => {
        let watching = 0
        for await (const consumer of system.jsm.consumers.list('KV_projections')) {
          if (consumer.config.filter_subject?.startsWith('$KV.projections.lease.')) watching++
        }
        return watching
      },
      { timeout: 30_000, interval: 50 },
    )
    .toBeGreaterThanOrEqual(count)
}

describe('two projectors', () => {
  it('fold each projection in one of them, and an orderly stop hands it over at once', {
    timeout: 60_000,
  }, async () => {
    await using system = await startSystem()
    const user = await registerUser(system.commands, 'Handed over')
    const nc = await system.nats.connect('projector', { name: 'second-projector', logger: system.logger })
    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    const generations = await Generations.open(js, jsm, 1, system.logger)
    const second = await startProjector(
      { nc, js, jsm, generations, logger: system.logger },
      projectionsWith(system.projectionOptions),
    )
    try {
      // The system's own projector was first: it holds both, the second stands by.
      const before = await holders(system)
      for (const projection of projectionNames) {
        expect(before[projection]).toBeDefined()
        expect(before[projection]).not.toBe(second.holder)
      }
      await createNote(system.commands, user.token, { title: 'Folded by the first' })
      await caughtUp(system)

      // Released at once: the standby does not wait for the lease to run out (3 s).
      const stopped = performance.now()
      await system.stopProjector()
      await expect
        .poll(async () => Object.values(await holders(system)), { timeout: 2_000, interval: 20 })
        .toEqual(projectionNames.map(() => second.holder))
      expect(performance.now() - stopped).toBeLessThan(2_000)

      await createNote(system.commands, user.token, { title: 'Folded by the second' })
      await caughtUp(system)
      await expectViewsEqualFold(system)
    } finally {
      await second.stop()
      await nc.close()
    }
  })
})

describe('the active projector killed with SIGKILL under a 32-way create load (chaos b)', () => {
  it('is replaced by the standby within 5 s; every acked create is in the log and the views', {
    timeout: 90_000,
  }, async () => {
    await using system = await startSystem()
    await system.stopProjector()
    const users = []
    for (let i = 0; i < 8; i++) users.push(await registerUser(system.commands, `Load user ${i}`))
    const active = startProjectorProcess(system.nats)
    let standby: ProjectorProcess | undefined
    const load = startCreateLoad(system.commands, users, 32)
    try {
      await untilHolding(system, active, 30_000)
      standby = startProjectorProcess(system.nats)
      await untilStandingBy(system, projectionNames.length)
      await sleep(1_500)
      const ackedBeforeKill = load.ledger.acked.size

      expect(await active.kill()).toBe('SIGKILL')
      // The lease runs 3 s after the last renewal (at most 1 s before the kill); 5 s is the promise.
      const takeover = await untilHolding(system, standby, 10_000)
      expect(takeover).toBeLessThan(5_000)
      await sleep(1_500)
      const ledger = await load.stop()

      expect(ackedBeforeKill).toBeGreaterThan(50)
      expect(ledger.acked.size).toBeGreaterThan(ackedBeforeKill)
      // The command side does not depend on the projector: no create failed while it failed over.
      expect([...ledger.others.entries()]).toEqual([])
      const { notes } = await foldNotes(system.js)
      const missing = [...ledger.acked.keys()].filter((id) => !notes.has(id))
      expect(missing).toEqual([])

      await caughtUp(system)
      const sizes = await expectViewsEqualFold(system)
      expect(sizes.notes).toBe(ledger.acked.size)
      console.info(
        `chaos b: ${ledger.acked.size} acked creates, takeover ${Math.round(takeover)} ms after the kill`,
      )
    } finally {
      await load.stop()
      await active.kill()
      await standby?.kill()
    }
  })
})
