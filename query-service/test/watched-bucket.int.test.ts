import { type PositionMarker, positionMarkerKey } from '@jetnotes/schemas'
import { type NatsServerHandle, seededRandom, startNatsServer } from '@jetnotes/testing'
import { jetstream } from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WatchedBucket } from '../src/read-models/watched-bucket.ts'

let nats: NatsServerHandle
let nc: NatsConnection
let bucketCount = 0
beforeAll(async () => {
  nats = await startNatsServer()
  nc = await nats.connect('operator')
})
afterAll(async () => {
  await nc?.close()
  await nats?.[Symbol.asyncDispose]()
})

const logger = pino({ level: 'silent' })

/** A fresh bucket and its watched cache, started. */
const watchedBucket = async (maxBytes = 1024 * 1024) => {
  const kv = await new Kvm(jetstream(nc)).create(`WATCHED_${++bucketCount}`, { allow_direct: true })
  const cached = new WatchedBucket(kv, maxBytes, logger)
  await cached.start()
  return { kv, cached }
}

/** Polls until `check` passes or `timeoutMs` runs out, then makes its last attempt fail the test. */
const eventually = async (check: () => Promise<void>, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

const revisionOf = async (reader: { get(key: string): Promise<{ revision: number } | null> }, key: string) =>
  (await reader.get(key))?.revision ?? 0

describe('a watched read-model bucket', () => {
  it('answers a key it has read again without a NATS round trip', async () => {
    const { kv, cached } = await watchedBucket()
    await kv.put('a', JSON.stringify({ n: 1 }))
    expect((await cached.get('a'))?.json()).toEqual({ n: 1 })
    expect(await cached.get('missing')).toBeNull()
    const sent = nc.stats().outMsgs
    for (let i = 0; i < 100; i++) {
      expect((await cached.get('a'))?.json()).toEqual({ n: 1 })
      expect(await cached.get('missing')).toBeNull()
    }
    expect(nc.stats().outMsgs).toBe(sent)
    cached.stop()
  })

  it('follows updates, deletes and new keys through its watch', async () => {
    const { kv, cached } = await watchedBucket()
    await kv.put('a', '1')
    expect((await cached.get('a'))?.string()).toBe('1')
    expect(await cached.get('b')).toBeNull()
    await kv.put('a', '2')
    await kv.put('b', 'new')
    await eventually(async () => {
      expect((await cached.get('a'))?.string()).toBe('2')
      expect((await cached.get('b'))?.string()).toBe('new')
    })
    await kv.delete('a')
    await eventually(async () => expect((await cached.get('a'))?.operation).toBe('DEL'))
    cached.stop()
  })

  it('ends up with the latest revision of every key while reads race writes', async () => {
    const { kv, cached } = await watchedBucket()
    const keys = Array.from({ length: 40 }, (_, index) => `k${index}`)
    const random = seededRandom(7)
    const pick = () => keys[Math.floor(random() * keys.length)] as string
    let writing = true
    const writer = (async () => {
      for (let i = 0; i < 1_500; i++) await kv.put(pick(), String(i))
      writing = false
    })()
    const readers = Array.from({ length: 16 }, async () => {
      while (writing) {
        await cached.get(pick())
        // A cached read never waits on I/O: let the writer and the watch run.
        await new Promise((resolve) => setImmediate(resolve))
      }
    })
    await Promise.all([writer, ...readers])
    await eventually(async () => {
      for (const key of keys) expect(await revisionOf(cached, key), key).toBe(await revisionOf(kv, key))
    })
    cached.stop()
  })

  it('keeps an update that arrives while the first read of its key is in flight', async () => {
    const { kv, cached } = await watchedBucket()
    const keys = Array.from({ length: 300 }, (_, index) => `first${index}`)
    for (const key of keys) await kv.put(key, 'before')
    // The read leaves first, so the bucket answers with the old value while the watch brings the new one.
    await Promise.all(keys.map((key) => Promise.all([cached.get(key), kv.put(key, 'after')])))
    await eventually(async () => {
      for (const key of keys) expect((await cached.get(key))?.string(), key).toBe('after')
    })
    cached.stop()
  })

  it('keeps within its memory bound by forgetting the least recently read keys', async () => {
    const { kv, cached } = await watchedBucket(8 * 1024)
    const value = 'x'.repeat(1_000)
    for (let i = 0; i < 50; i++) await kv.put(`k${i}`, value)
    for (let i = 0; i < 50; i++) expect((await cached.get(`k${i}`))?.string()).toBe(value)
    expect(cached.size).toBeGreaterThan(0)
    expect(cached.size).toBeLessThan(8)
    cached.stop()
  })

  it('keeps following its bucket across a nats-server restart', async () => {
    const { kv, cached } = await watchedBucket()
    await kv.put('a', 'before')
    expect((await cached.get('a'))?.string()).toBe('before')
    await nats.restart()
    await eventually(async () => {
      await kv.put('a', 'after')
      expect((await cached.get('a'))?.string()).toBe('after')
    }, 20_000)
    // Still served by the watch, not by falling back to the bucket.
    const sent = nc.stats().outMsgs
    expect((await cached.get('a'))?.string()).toBe('after')
    expect(nc.stats().outMsgs).toBe(sent)
    cached.stop()
  }, 30_000)

  it('reads the bucket once stopped', async () => {
    const { kv, cached } = await watchedBucket()
    await kv.put('a', '1')
    await cached.get('a')
    cached.stop()
    await kv.put('a', '2')
    // No watch delivers the update any more; the read must reach the bucket to see it.
    expect((await cached.get('a'))?.string()).toBe('2')
    expect(cached.size).toBe(0)
  })
})

describe('the position of a watched read-model bucket', () => {
  const mark = (kv: KV, seq: number) =>
    kv.put(positionMarkerKey, JSON.stringify({ seq, at: new Date().toISOString() } satisfies PositionMarker))

  it('starts at the marker the bucket holds or at the floor it is given, and only moves forward', async () => {
    const kv = await new Kvm(jetstream(nc)).create(`WATCHED_${++bucketCount}`, { allow_direct: true })
    await mark(kv, 5)
    const fromMarker = new WatchedBucket(kv, 1024 * 1024, logger)
    await fromMarker.start(3)
    expect(fromMarker.position).toBe(5)
    const fromFloor = new WatchedBucket(kv, 1024 * 1024, logger)
    await fromFloor.start(7)
    expect(fromFloor.position).toBe(7)
    await mark(kv, 9)
    await eventually(async () => expect([fromMarker.position, fromFloor.position]).toEqual([9, 9]))
    await mark(kv, 4)
    await kv.put('after', 'x')
    await eventually(async () => expect((await fromMarker.get('after'))?.string()).toBe('x'))
    expect(fromMarker.position).toBe(9)
    fromMarker.stop()
    expect(fromMarker.position).toBeUndefined()
    fromFloor.stop()
  })

  it('holds every entry written before the marker it has reached', async () => {
    const { kv, cached } = await watchedBucket()
    const keys = Array.from({ length: 10 }, (_, index) => `k${index}`)
    for (const key of keys) await kv.put(key, '0')
    for (const key of keys) await cached.get(key)
    let writing = true
    // As the projector does: a batch's entries, then the marker of the batch.
    const writer = (async () => {
      for (let batch = 1; batch <= 100; batch++) {
        await Promise.all(keys.map((key) => kv.put(key, String(batch))))
        await mark(kv, batch)
      }
      writing = false
    })()
    let checks = 0
    while (writing) {
      const position = cached.position ?? 0
      for (const key of keys)
        expect(Number((await cached.get(key))?.string())).toBeGreaterThanOrEqual(position)
      checks++
      await new Promise((resolve) => setImmediate(resolve))
    }
    await writer
    expect(checks).toBeGreaterThan(10)
    await eventually(async () => expect(cached.position).toBe(100))
    cached.stop()
  })
})
