import {
  caughtUp,
  createManyNotes,
  expectViewsEqualFold,
  generationsOf,
  type NatsServerHandle,
  randomCommands,
  registerUser,
  startProjectorProcess,
  startSystem,
} from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

/** The projector in its own process, which this test kills without warning. */
const startProjector = (nats: NatsServerHandle) =>
  // Small batches: many flush-and-ack rounds, so a kill lands between KV writes and acks. Tiny pages: every
  // change to a long list splits or merges pages often, so a kill lands between a split's writes too.
  startProjectorProcess(nats, {
    PROJECTOR_BATCH_SIZE: '4',
    // The killed one's lease runs out soon: each restart takes over after it.
    PROJECTOR_LEASE_MS: '1000',
    NOTE_LIST_PAGE_SIZE: String(pageSize),
    NOTE_LIST_DIRECTORY_SIZE: String(directorySize),
  })

const pageSize = 3
const directorySize = 3

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a projector killed with SIGKILL while events stream in', () => {
  it('leaves views equal to a fold of the log once restarted, long lists included', {
    timeout: 180_000,
  }, async () => {
    await using system = await startSystem({ notePageSize: pageSize, noteDirectorySize: directorySize })
    await system.stopProjector()
    const users = []
    for (let i = 0; i < 5; i++) users.push(await registerUser(system.commands, `Crash user ${i}`))
    const generations = await generationsOf(system)
    let projector = startProjector(system.nats)

    // Two users with long lists (hundreds of tiny pages), whose notes the random commands then change, share,
    // unshare and delete while the projector is killed.
    const existing = [
      ...(await createManyNotes(system.commands, users[0] as (typeof users)[number], 1_500)),
      ...(await createManyNotes(system.commands, users[1] as (typeof users)[number], 500)),
    ]
    const writes = randomCommands({ api: system.commands, users, steps: 800, seed: 4242, existing })
    try {
      // Kill it each time it has made progress, while commands keep arriving and while it works through the
      // backlog they leave: each restart resumes from the ack floor and folds again what it had written but
      // not acknowledged.
      const kills: number[] = []
      while (kills.length < 8) {
        const generation = await generations.active('notes')
        const position =
          generation === undefined ? 0 : ((await generations.position('notes', generation))?.seq ?? 0)
        if (position > (kills.at(-1) ?? 0)) {
          await sleep(Math.floor(Math.random() * 40))
          expect(await projector.kill()).toBe('SIGKILL')
          kills.push(position)
          projector = startProjector(system.nats)
        }
        await sleep(20)
      }
      const statuses = await writes
      expect(statuses.get(201)).toBeGreaterThan(50)

      await caughtUp(system)
      const sizes = await expectViewsEqualFold(system)
      expect(sizes.notes).toBeGreaterThan(2_000)
      expect(sizes.pages).toBeGreaterThan(600)
    } finally {
      await projector.kill()
      await writes.catch(() => {})
    }
  })
})
