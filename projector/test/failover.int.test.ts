import { projectionStatus, projectionsWith, rebuildProjection } from '@jetnotes/projector'
import { type ProjectionName, projectionNames } from '@jetnotes/schemas'
import {
  caughtUp,
  createNote,
  expectViewsEqualFold,
  foldNotes,
  generationsOf,
  type ProjectorProcess,
  type RunningSystem,
  randomCommands,
  registerUser,
  startCreateLoad,
  startInProcessProjector,
  startProjectorProcess,
  startSystem,
} from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Who holds each projection's lease and since when, as `npm run projections` shows it. */
const leases = async (system: RunningSystem) =>
  Object.fromEntries(
    (await projectionStatus(system.jsm, await generationsOf(system))).map((status) => [
      status.projection,
      { holder: status.holder, since: status.heldSince },
    ]),
  ) as Record<ProjectionName, { holder: string | undefined; since: string | undefined }>

const holders = async (system: RunningSystem) =>
  Object.fromEntries(
    Object.entries(await leases(system)).map(([projection, lease]) => [projection, lease.holder]),
  ) as Record<ProjectionName, string | undefined>

/** A projector process's holder id names its pid. */
const isHeldBy = (holder: string | undefined, process: ProjectorProcess) =>
  holder?.includes(`:${process.child.pid}:`) ?? false

/**
 * Waits until `process` holds every projection; returns when the last of them was taken (the holder's clock,
 * this machine's: what the test measures is the takeover, not how often it looks).
 */
const untilHolding = async (system: RunningSystem, process: ProjectorProcess, timeout: number) => {
  let taken = 0
  await expect
    .poll(
      async () => {
        const held = Object.values(await leases(system))
        if (!held.every((lease) => isHeldBy(lease.holder, process))) return false
        taken = Math.max(...held.map((lease) => Date.parse(lease.since ?? '')))
        return true
      },
      { timeout, interval: 25 },
    )
    .toBe(true)
  return taken
}

/**
 * A standby watches each lease (a KV watch filtered on it, bound to a live subscription); the holder does not
 * (the watch it had before it took the lease lingers a while, unbound).
 */
const untilStandingBy = async (system: RunningSystem, count: number) => {
  await expect
    .poll(
      async () => {
        let watching = 0
        for await (const consumer of system.jsm.consumers.list('KV_projections')) {
          const onLease = consumer.config.filter_subject?.startsWith('$KV.projections.lease.')
          if (onLease && consumer.push_bound) watching++
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
    const second = await startInProcessProjector(system.nats, system.logger, system.projectionOptions)
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
    }
  })
})

describe('a projector whose nats-server is killed and started again', () => {
  it('takes its own lease back at once and folds on', { timeout: 60_000 }, async () => {
    await using system = await startSystem()
    const user = await registerUser(system.commands, 'Outage')
    await createNote(system.commands, user.token, { title: 'Before the outage' })
    await caughtUp(system)
    const before = await holders(system)

    await system.nats.kill()
    // Longer than the lease: the projector has lost it by the time NATS is back, under its own name.
    await sleep(4_000)
    await system.nats.restart()
    const restarted = performance.now()
    await expect
      .poll(
        () =>
          createNote(system.commands, user.token, { title: 'After' }).then(
            () => true,
            () => false,
          ),
        {
          timeout: 30_000,
          interval: 250,
        },
      )
      .toBe(true)
    await caughtUp(system)
    // Not held by anyone else, so not the lease period's wait: the same projector holds it again.
    expect(await holders(system)).toEqual(before)
    await expectViewsEqualFold(system)
    console.info(`outage: folding again ${Math.round(performance.now() - restarted)} ms after the restart`)
  })
})

describe('a rebuild while two projectors run', () => {
  it('is followed by the holder, and by the standby once it takes over', { timeout: 60_000 }, async () => {
    await using system = await startSystem()
    const users = []
    for (let i = 0; i < 3; i++) users.push(await registerUser(system.commands, `Rebuild user ${i}`))
    const second = await startInProcessProjector(system.nats, system.logger, system.projectionOptions)
    try {
      await randomCommands({ api: system.commands, users, steps: 100, seed: 21 })
      const generations = await generationsOf(system)
      const writes = randomCommands({ api: system.commands, users, steps: 100, seed: 22 })
      const result = await rebuildProjection(
        { nc: system.nc, js: system.js, jsm: system.jsm, generations, logger: system.logger },
        projectionsWith(system.projectionOptions).notes,
        { graceMs: 100 },
      )
      await writes
      await caughtUp(system)
      await expectViewsEqualFold(system)

      await system.stopProjector()
      await expect
        .poll(async () => Object.values(await holders(system)), { timeout: 2_000, interval: 20 })
        .toEqual(projectionNames.map(() => second.holder))
      await randomCommands({ api: system.commands, users, steps: 50, seed: 23 })
      await caughtUp(system)
      expect(await generations.active('notes')).toBe(result.to)
      await expectViewsEqualFold(system)
    } finally {
      await second.stop()
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
    const load = startCreateLoad(system.commands, users, { concurrency: 32 })
    try {
      await untilHolding(system, active, 30_000)
      standby = startProjectorProcess(system.nats)
      await untilStandingBy(system, projectionNames.length)
      await sleep(1_500)
      const ackedBeforeKill = load.acked.length

      const killed = Date.now()
      expect(await active.kill()).toBe('SIGKILL')
      const lastAtKill = (await system.jsm.streams.info('NOTES')).state.last_seq
      // The lease runs 3 s after the last renewal the standby saw (at most 1 s before the kill): 5 s is the
      // promise, the rest is slack for a busy machine.
      const takeover = (await untilHolding(system, standby, 10_000)) - killed
      expect(takeover).toBeLessThan(5_000)
      // And it folds on: the views reach what was in the log when the holder died.
      const generations = await generationsOf(system)
      const generation = (await generations.active('notes')) as number
      await expect
        .poll(async () => (await generations.position('notes', generation))?.seq ?? 0, {
          timeout: 10_000,
          interval: 25,
        })
        .toBeGreaterThanOrEqual(lastAtKill)
      const resumed = Date.now() - killed
      await sleep(1_000)
      await load.stop()

      expect(ackedBeforeKill).toBeGreaterThan(50)
      expect(load.acked.length).toBeGreaterThan(ackedBeforeKill)
      // The command side does not depend on the projector: no create failed while it failed over.
      expect([...load.statuses.entries()].filter(([status]) => status !== 201)).toEqual([])
      const { notes } = await foldNotes(system.js)
      const missing = load.acked.map((create) => create.id).filter((id) => !notes.has(id))
      expect(missing).toEqual([])

      await caughtUp(system)
      const sizes = await expectViewsEqualFold(system)
      expect(sizes.notes).toBe(load.acked.length)
      console.info(
        `chaos b: ${load.acked.length} acked creates; takeover ${takeover} ms after the kill, views at the ` +
          `log's end at the kill ${resumed} ms after it`,
      )
    } finally {
      await load.stop()
      await active.kill()
      await standby?.kill()
    }
  })
})
