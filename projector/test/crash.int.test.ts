import { randomCommands, registerUser, startProjectorProcess, startSystem } from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'
import { caughtUp, expectViewsEqualFold, generationsOf } from './views.ts'

/** The projector in its own process, which this test kills without warning. */
const startProjector = (natsUrl: string) =>
  // Small batches: many flush-and-ack rounds, so a kill lands between KV writes and acks.
  startProjectorProcess(natsUrl, { PROJECTOR_BATCH_SIZE: '4' })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a projector killed with SIGKILL while events stream in', () => {
  it('leaves views equal to a fold of the log once restarted', { timeout: 120_000 }, async () => {
    await using system = await startSystem()
    await system.stopProjector()
    const users = []
    for (let i = 0; i < 5; i++) users.push(await registerUser(system.commands, `Crash user ${i}`))
    const generations = await generationsOf(system)
    let projector = startProjector(system.nats.url)

    const writes = randomCommands({ api: system.commands, users, steps: 800, seed: 4242 })
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
          projector = startProjector(system.nats.url)
        }
        await sleep(20)
      }
      const statuses = await writes
      expect(statuses.get(201)).toBeGreaterThan(50)

      await caughtUp(system)
      const sizes = await expectViewsEqualFold(system)
      expect(sizes.notes).toBeGreaterThan(50)
    } finally {
      await projector.kill()
      await writes.catch(() => {})
    }
  })
})
