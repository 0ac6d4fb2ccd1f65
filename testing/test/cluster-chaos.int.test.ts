import { aggregateIdOf, parkedBucket, streams } from '@jetnotes/schemas'
import { describe, expect, it } from 'vitest'
import {
  caughtUp,
  expectViewsEqualFold,
  readBucket,
  readStream,
  registerUser,
  startCreateLoad,
  startNatsCluster,
  startSystem,
} from '../src/index.ts'

// A follower of nats-server 2.9 campaigns 4 to 9 s (its raft election timeout, random) after the last word
// from a lost leader: writes resume 4.5 to 6.5 s after the kill here, and the system's aim is 10 s. The
// bound adds room for a CI machine whose 2 cores are shared.
const resumeBoundMs = 10_000
const slackMs = 5_000

describe('a 3-node cluster under a 32-way create load', () => {
  it('loses no acknowledged write and takes writes again soon after losing the NOTES leader, then each other server', async () => {
    await using cluster = await startNatsCluster({ nodes: 3 })
    await using system = await startSystem({ nats: cluster, replicas: 3 })
    const owners = await Promise.all([1, 2, 3, 4].map(() => registerUser(system.commands)))
    const load = startCreateLoad(system.commands, owners, { concurrency: 32 })
    const resumedAfterMs: Record<string, number> = {}
    try {
      await expect.poll(() => load.acked.length, { timeout: 15_000 }).toBeGreaterThan(100)

      const leader = await cluster.streamLeader(streams.notes.name)
      const others = cluster.nodes.filter((node) => node !== leader)
      for (const [round, node] of [leader, ...others].entries()) {
        const label = `${round === 0 ? 'leader ' : ''}${node.name}`
        const killedAt = Date.now()
        await node.kill()
        const first = await load.firstAckSentSince(killedAt, resumeBoundMs + slackMs)
        resumedAfterMs[label] = first.ackedAt - killedAt
        await node.restart()
        await cluster.waitUntilReplicated(30_000)
      }
      // Writes go on with every server back.
      const before = load.acked.length
      await expect.poll(() => load.acked.length, { timeout: 10_000 }).toBeGreaterThan(before + 50)
    } finally {
      await load.stop()
    }
    console.info('writes resumed after (ms):', resumedAfterMs, 'answers:', Object.fromEntries(load.statuses))

    for (const ms of Object.values(resumedAfterMs)) expect(ms).toBeLessThan(resumeBoundMs + slackMs)
    // While a stream has no leader the command-service says so (503), it neither fails (500) nor hangs.
    expect([...load.statuses.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([])
    // Every acknowledged create is in the log, read back with operator credentials.
    const logged = new Set(
      (await readStream(system.js, streams.notes.name)).map((m) => aggregateIdOf(m.subject)),
    )
    const lost = load.acked.filter((create) => !logged.has(create.id))
    expect(lost).toEqual([])
    expect(load.acked.length).toBeGreaterThan(200)

    await caughtUp(system)
    // No write was given up: the log holds no poison event, so nothing has a reason to be parked.
    expect([...(await readBucket(system.js, parkedBucket)).keys()]).toEqual([])
    await expectViewsEqualFold(system)
  }, 90_000)
})
