import {
  Generations,
  LostRace,
  ProjectionRunner,
  projectionStatus,
  projectionsWith,
  ViewStore,
} from '@jetnotes/projector'
import { bucketName, type ReadModelName, type UserRecord } from '@jetnotes/schemas'
import {
  caughtUp,
  createManyNotes,
  expectViewsEqualFold,
  generationsOf,
  type ProjectorProcess,
  type RunningSystem,
  randomCommands,
  registerUser,
  startCreateLoad,
  startNatsServer,
  startProjectorProcess,
  startSystem,
} from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'

const logger = pino({ level: 'silent' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const until = async (done: () => boolean) => {
  while (!done()) await sleep(50)
}
const user = (id: string, name: string, seq: number): UserRecord => ({
  id,
  name,
  active: true,
  version: 1,
  seq,
})

describe('two runners writing the same entries at once', () => {
  it('skip what is already there or newer, stop on anything else, and never move an entry back', async () => {
    await using nats = await startNatsServer()
    const nc = await nats.connect('projector')
    const generations = await Generations.open(jetstream(nc), await jetstreamManager(nc), 1, logger)
    const buckets = await generations.createBuckets('users', 1)
    const stored = async (key: string) => (await buckets.users?.get(key))?.json<UserRecord>()
    // Two runners over the same generation, as a paused holder and the one that took over would be.
    const behind = new ViewStore(buckets)
    const ahead = new ViewStore(buckets)

    // Both read the entry; the one ahead writes it further on; the one behind then writes its older state.
    await ahead.get('users', 'ann')
    await behind.get('users', 'ann')
    ahead.set('users', 'ann', user('ann', 'Ann at 9', 9))
    await ahead.flush()
    behind.set('users', 'ann', user('ann', 'Ann at 5', 5))
    await expect(behind.flush()).resolves.toEqual([])
    expect(await stored('ann')).toEqual(user('ann', 'Ann at 9', 9))
    // What it reads now is what the bucket holds.
    expect(await behind.get('users', 'ann')).toEqual(user('ann', 'Ann at 9', 9))

    // A new entry both create: the second finds the same value there and leaves it.
    ahead.set('users', 'bob', user('bob', 'Bob', 3), { creates: true })
    await ahead.flush()
    behind.set('users', 'bob', user('bob', 'Bob', 3), { creates: true })
    await expect(behind.flush()).resolves.toEqual([])

    // Changed since it was read, and not to something newer: the write stops, the entry stays as it was.
    await behind.get('users', 'cid')
    await ahead.get('users', 'cid')
    ahead.set('users', 'cid', user('cid', 'Cid at 4', 4))
    await ahead.flush()
    behind.set('users', 'cid', user('cid', 'Cid at 6, from a stale read', 6))
    await expect(behind.flush()).rejects.toBeInstanceOf(LostRace)
    expect(await stored('cid')).toEqual(user('cid', 'Cid at 4', 4))
    await nc.close()
  })

  it("replace a new entry's older state left by a fold that died before its acks", async () => {
    await using nats = await startNatsServer()
    const nc = await nats.connect('projector')
    const generations = await Generations.open(jetstream(nc), await jetstreamManager(nc), 1, logger)
    const buckets = await generations.createBuckets('users', 1)
    const stored = async (key: string) => (await buckets.users?.get(key))?.json<UserRecord>()
    // A fold creates an entry (a note list's page is named after the event that makes it) and dies unacked;
    // the replay folds the same event and more into the same new key.
    const died = new ViewStore(buckets)
    died.set('users', 'eve', user('eve', 'Eve at 4', 4), { creates: true })
    await died.flush()
    const replay = new ViewStore(buckets)
    replay.set('users', 'eve', user('eve', 'Eve at 7', 7), { creates: true })
    await expect(replay.flush()).resolves.toEqual([])
    expect(await stored('eve')).toEqual(user('eve', 'Eve at 7', 7))
    // A replay that goes less far than what is there leaves it (a view never moves back).
    const shorter = new ViewStore(buckets)
    shorter.set('users', 'eve', user('eve', 'Eve at 5', 5), { creates: true })
    await expect(shorter.flush()).resolves.toEqual([])
    expect(await stored('eve')).toEqual(user('eve', 'Eve at 7', 7))
    // Read first and changed since, not to something newer: still another writer, and the write stops.
    await shorter.get('users', 'fay')
    await died.get('users', 'fay')
    died.set('users', 'fay', user('fay', 'Fay at 2', 2))
    await died.flush()
    shorter.set('users', 'fay', user('fay', 'Fay at 3, from a stale read', 3))
    await expect(shorter.flush()).rejects.toBeInstanceOf(LostRace)
    await nc.close()
  })

  it('never move a position back', async () => {
    await using nats = await startNatsServer()
    const connect = async () => {
      const nc = await nats.connect('projector')
      return { nc, generations: await Generations.open(jetstream(nc), await jetstreamManager(nc), 1, logger) }
    }
    const [first, second] = [await connect(), await connect()]
    const at = (seq: number) => ({ seq, streamSeq: seq, at: new Date().toISOString() })
    await first.generations.setPosition('users', 1, at(10))
    await second.generations.setPosition('users', 1, at(7))
    expect((await first.generations.position('users', 1))?.seq).toBe(10)
    await second.generations.setPosition('users', 1, at(12))
    await first.generations.setPosition('users', 1, at(11))
    expect((await first.generations.position('users', 1))?.seq).toBe(12)
    await first.nc.close()
    await second.nc.close()
  })
})

/** A projector process's holder id names its pid. */
const holderOf = async (system: RunningSystem, processes: readonly ProjectorProcess[]) => {
  const statuses = await projectionStatus(system.jsm, await generationsOf(system))
  const holder = statuses.find((status) => status.projection === 'notes')?.holder
  return processes.find((process) => holder?.includes(`:${process.child.pid}:`))
}

/**
 * Follows every entry of the live read models and reports each write that moves one back: a `seq` (or a
 * position marker) lower than before, or a page that comes back after it was deleted (page ids are never reused).
 */
const watchForRegressions = async (system: RunningSystem) => {
  const regressions: string[] = []
  const stops: (() => void)[] = []
  const readModels: ReadModelName[] = ['notes', 'note-lists', 'users']
  for (const readModel of readModels) {
    const kv = await new Kvm(system.js).open(bucketName(readModel, 1))
    const watch = await kv.watch({ key: '>' })
    stops.push(() => watch.stop())
    const seqs = new Map<string, number>()
    const deleted = new Set<string>()
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') {
          deleted.add(entry.key)
          continue
        }
        const value = entry.json<{ seq?: unknown }>()
        if (deleted.has(entry.key) && /\.[pd]\./.test(entry.key))
          regressions.push(`${readModel} ${entry.key} came back after its deletion`)
        if (typeof value.seq !== 'number') continue
        const before = seqs.get(entry.key) ?? 0
        if (value.seq < before) regressions.push(`${readModel} ${entry.key}: ${before} -> ${value.seq}`)
        seqs.set(entry.key, Math.max(before, value.seq))
      }
    })()
  }
  return {
    regressions,
    stop: () => {
      for (const stop of stops) stop()
    },
  }
}

describe('two runners constructed directly, folding the same projection at once', () => {
  it('never move a view backwards nor fold out of order: the views equal a fold of the log', {
    timeout: 120_000,
  }, async () => {
    const sizes = { notePageSize: 6, noteDirectorySize: 4 }
    await using system = await startSystem(sizes)
    const users = []
    for (let i = 0; i < 5; i++) users.push(await registerUser(system.commands, `Racing user ${i}`))
    const existing = await createManyNotes(system.commands, users[0] as (typeof users)[number], 200)
    await caughtUp(system)
    // The system's projector keeps `users`; `notes` gets two runners with no lease between them, on the one
    // durable consumer, each started again whenever it stops (it lost a race), as a standby would.
    await system.stopProjector()
    const nc = await system.nats.connect('projector')
    const generations = await Generations.open(jetstream(nc), await jetstreamManager(nc), 1, logger)
    const catalog = projectionsWith(sizes)
    const usersRunner = new ProjectionRunner(catalog.users, generations, logger)
    await usersRunner.start()
    let racing = true
    const runners: ProjectionRunner[] = []
    const keepFolding = async () => {
      while (racing) {
        const runner = new ProjectionRunner(catalog.notes, generations, logger, { batchSize: 8 })
        runners.push(runner)
        await runner.start()
        await Promise.race([runner.fenced, until(() => !racing)])
      }
    }
    const watcher = await watchForRegressions(system)
    const folding = [keepFolding(), keepFolding()]
    try {
      const load = startCreateLoad(system.commands, users, { concurrency: 4 })
      await randomCommands({ api: system.commands, users, steps: 600, seed: 5, existing })
      await load.stop()
      await caughtUp(system)
      racing = false
      await Promise.all(folding)
      await Promise.all(runners.map((runner) => runner.stop()))
      await expectViewsEqualFold(system)
      expect(watcher.regressions).toEqual([])
    } finally {
      racing = false
      watcher.stop()
      await Promise.all(runners.map((runner) => runner.stop()))
      await usersRunner.stop()
      await nc.close()
    }
  })
})

describe('a holder paused (SIGSTOP) until its lease is taken, then resumed (SIGCONT) mid-fold', () => {
  it('never moves a view backwards, and the views equal a fold of the log at the end', {
    timeout: 120_000,
  }, async () => {
    const sizes = { notePageSize: 6, noteDirectorySize: 4 }
    await using system = await startSystem(sizes)
    await system.stopProjector()
    const users = []
    for (let i = 0; i < 5; i++) users.push(await registerUser(system.commands, `Paused user ${i}`))
    // Small batches and tiny pages: a pause lands between a batch's writes, and in the middle of splits.
    const env = {
      PROJECTOR_BATCH_SIZE: '16',
      NOTE_LIST_PAGE_SIZE: String(sizes.notePageSize),
      NOTE_LIST_DIRECTORY_SIZE: String(sizes.noteDirectorySize),
      PROJECTOR_LEASE_MS: '1000',
      LOG_LEVEL: process.env.FENCE_LOG ?? 'error',
    }
    const processes = [startProjectorProcess(system.nats, env), startProjectorProcess(system.nats, env)]
    const existing = await createManyNotes(system.commands, users[0] as (typeof users)[number], 300)
    await caughtUp(system)
    const watcher = await watchForRegressions(system)
    const writes = randomCommands({ api: system.commands, users, steps: 800, seed: 1313, existing })
    // Creates alongside, so the holder is busy writing when it is paused.
    const load = startCreateLoad(system.commands, users, { concurrency: 4 })
    try {
      let pauses = 0
      while (pauses < 4) {
        const holder = await holderOf(system, processes)
        if (holder === undefined) {
          await sleep(50)
          continue
        }
        holder.child.kill('SIGSTOP')
        // Another takes the lease over once it runs out, and folds on from the ack floor...
        await expect
          .poll(async () => (await holderOf(system, processes)) !== holder, { timeout: 10_000, interval: 50 })
          .toBe(true)
        await sleep(200)
        // ... while the paused one wakes up in the middle of what it was doing.
        holder.child.kill('SIGCONT')
        pauses++
        await sleep(300)
      }
      await load.stop()
      const statuses = await writes
      expect((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0)).toBeGreaterThan(100)
      await caughtUp(system)
      await sleep(500)
      await expectViewsEqualFold(system)
      expect(watcher.regressions).toEqual([])
    } finally {
      watcher.stop()
      await load.stop()
      await writes.catch(() => {})
      for (const process of processes) await process.kill()
    }
  })
})
