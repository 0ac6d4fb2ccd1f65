import { setTimeout as sleep } from 'node:timers/promises'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'

/**
 * Resolves once JetStream answers its API: on a cluster, once it has a meta leader (only the meta leader
 * answers account information), which a cluster just started, or one that lost its meta leader, takes a few
 * seconds to elect. Throws when it has not within `timeoutMs`.
 */
export const waitForJetStream = async (nc: NatsConnection, timeoutMs: number) => {
  const jsm = await jetstreamManager(nc, { timeout: 2_000, checkAPI: false })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await jsm.getAccountInfo()
      return
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`JetStream did not answer within ${timeoutMs / 1000} s (no meta leader?)`, {
          cause: error,
        })
      }
      await sleep(100)
    }
  }
}
