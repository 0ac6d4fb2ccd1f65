import { type NatsServerHandle, startNatsServer } from '@jetnotes/testing'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Derivation,
  derivedOf,
  type ViewEntry,
  WatchedBucket,
} from '../src/read-models/watched-bucket.ts'

let nats: NatsServerHandle
let nc: NatsConnection
beforeAll(async () => {
  nats = await startNatsServer()
  nc = await nats.connect('operator')
})
afterAll(async () => {
  await nc?.close()
  await nats?.[Symbol.asyncDispose]()
})

/** An answer made from an entry, counting how often it is made. */
const counted = () => {
  let made = 0
  const derivation: Derivation<string> = {
    derive: (entry: ViewEntry) => {
      made++
      return JSON.stringify(entry.json<{ text: string }>())
    },
    bytes: (value) => 1_000 * value.length,
  }
  return { derivation, made: () => made }
}

describe('what a route derives from a cached entry', () => {
  it('is made once per revision, made anew after a change, and counted in the cache bound', async () => {
    const kv = await new Kvm(jetstream(nc)).create('DERIVED', { allow_direct: true })
    const cached = new WatchedBucket(kv, 100_000, pino({ level: 'silent' }))
    await cached.start()
    await kv.put('a', JSON.stringify({ text: 'first' }))
    const { derivation, made } = counted()

    const read = async (key: string) => {
      const entry = await cached.get(key)
      return entry === null ? undefined : derivedOf(entry, derivation)
    }
    expect(await read('a')).toBe('{"text":"first"}')
    expect(await read('a')).toBe('{"text":"first"}')
    expect(made()).toBe(1)

    await kv.put('a', JSON.stringify({ text: 'second' }))
    for (let tries = 0; (await read('a')) !== '{"text":"second"}'; tries++) {
      if (tries > 150) throw new Error('the change never reached the cache')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(made()).toBe(2)

    // Each derived answer here counts 1,000 bytes a character: a few of them fill the 100,000-byte bound, and
    // the cache lets go of the oldest keys rather than grow past it.
    for (const key of ['b', 'c', 'd', 'e']) {
      await kv.put(key, JSON.stringify({ text: key.repeat(10) }))
      await read(key)
    }
    expect(cached.size).toBeLessThan(5)
    cached.stop()
  })

  it('is made for every read of an entry that does not come from the cache', async () => {
    const kv = await new Kvm(jetstream(nc)).create('DERIVED_DIRECT')
    await kv.put('a', JSON.stringify({ text: 'direct' }))
    const { derivation, made } = counted()
    for (let reads = 0; reads < 2; reads++) {
      const entry = await kv.get('a')
      expect(entry === null ? undefined : derivedOf(entry, derivation)).toBe('{"text":"direct"}')
    }
    expect(made()).toBe(2)
  })
})
