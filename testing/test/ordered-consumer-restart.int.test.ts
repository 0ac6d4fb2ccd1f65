import { fileURLToPath } from 'node:url'
import type { NatsUser } from '@jetnotes/platform'
import { type ConsumerNotification, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { describe, expect, it } from 'vitest'
import { startNatsServer } from '../src/index.ts'

/**
 * A server restart loses the ordered consumers the services follow the log with (the live hub and the user
 * directories). After the reconnect, nats.js asks for the consumer's info and recreates it on "consumer not
 * found"; a user refused that question never gets its consumer back, and its follower stops for good (found by
 * `npm run soak`: live streams went silent after a nats-server SIGKILL).
 */
const repoConfig = fileURLToPath(new URL('../../nats-server.conf', import.meta.url))
const followers: { user: NatsUser; stream: 'NOTES' | 'USERS' }[] = [
  { user: 'query-service', stream: 'NOTES' },
  { user: 'query-service', stream: 'USERS' },
  { user: 'command-service', stream: 'USERS' },
]

describe('after a nats-server restart', () => {
  it.each(followers)('$user gets its ordered consumer on $stream back', async ({ user, stream }) => {
    await using nats = await startNatsServer({ configFile: repoConfig })
    {
      await using operator = await nats.connect('operator')
      const jsm = await jetstreamManager(operator)
      await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] })
    }
    await using nc = await nats.connect(user)
    const consumer = await jetstream(nc).consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: 1,
    })
    const messages = await consumer.consume()
    const notifications: ConsumerNotification['type'][] = []
    void (async () => {
      for await (const notification of messages.status()) notifications.push(notification.type)
    })()

    await nats.kill('SIGKILL')
    await nats.restart()

    await expect
      .poll(() => notifications, { timeout: 15_000, interval: 100 })
      .toContain('ordered_consumer_recreated')
    messages.stop()
  })
})
