import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { describe, expect, it } from 'vitest'
import { startNatsCluster } from '../src/index.ts'

describe('startNatsCluster', () => {
  it('starts three routed nodes that replicate a stream and elect a new leader when its leader is killed', async () => {
    await using cluster = await startNatsCluster({ nodes: 3 })
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(3)
    expect(cluster.url.split(',')).toHaveLength(3)

    await using nc = await cluster.connect('operator')
    const jsm = await jetstreamManager(nc)
    await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'], num_replicas: 3 })
    const js = jetstream(nc)
    for (let index = 0; index < 10; index += 1) await js.publish('kept.one', `${index}`)

    const leader = await cluster.streamLeader('KEPT')
    await leader.kill()
    // Another node leads the stream and takes writes; nothing written before is lost.
    await expect
      .poll(() => cluster.streamLeader('KEPT').then((node) => node.name), { timeout: 15_000 })
      .not.toBe(leader.name)
    await js.publish('kept.one', 'after', { timeout: 10_000 })
    expect((await jsm.streams.info('KEPT')).state.messages).toBe(11)

    await leader.restart()
    expect(leader.isRunning()).toBe(true)
    await cluster.waitForJetStream()
  })

  it('fails over a client between the nodes a killed one leaves', async () => {
    await using cluster = await startNatsCluster()
    await using nc = await cluster.connect('query-service')
    const connectedTo = nc.getServer()
    const node = cluster.nodes.find((candidate) => connectedTo.endsWith(`:${candidate.port}`))
    expect(node).toBeDefined()
    await node?.kill()
    await expect.poll(() => nc.getServer(), { timeout: 10_000 }).not.toBe(connectedTo)
    await nc.flush()
  })
})
