import { followStream, watchConnection } from '@jetnotes/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { startNatsServer } from '../src/nats-server.ts'

describe('a stream followed while nats-server is killed and restarted under a steady flow of messages', () => {
  it('has every message applied once, in order, and goes on after the restart', async () => {
    await using nats = await startNatsServer()
    const logger = pino({ level: 'silent' })
    const nc = await nats.connect('operator')
    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    await jsm.streams.add({ name: 'FOLLOWED', subjects: ['followed.>'] })
    const applied: number[] = []
    const follower = followStream(js, 'FOLLOWED', {
      from: 1,
      connection: watchConnection(nc),
      logger,
      apply: (message) => {
        applied.push(message.seq)
      },
    })

    let published = 0
    let publishing = true
    const publisher = (async () => {
      while (publishing) {
        await js
          .publish(`followed.${published % 7}`, String(published), { timeout: 1_000 })
          .then(() => published++)
          .catch(() => new Promise((resolve) => setTimeout(resolve, 100)))
      }
    })()
    await expect.poll(() => applied.length, { timeout: 10_000 }).toBeGreaterThan(200)
    await nats.kill()
    await nats.restart()
    const afterRestart = published
    await expect.poll(() => published, { timeout: 15_000 }).toBeGreaterThan(afterRestart + 200)
    publishing = false
    await publisher

    const last = (await jsm.streams.info('FOLLOWED')).state.last_seq
    await expect.poll(() => applied.length, { timeout: 15_000 }).toBe(last)
    expect(applied).toEqual(Array.from({ length: last }, (_, index) => index + 1))
    follower.stop()
    await follower.ended
    await nc.close()
  })
})
