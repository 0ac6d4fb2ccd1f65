import { ensureBucket } from '@jetnotes/platform'
import { startNatsServer } from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { describe, expect, it } from 'vitest'
import { bulkWrite } from '../src/bulk-write.ts'

describe('writing a rebuild in bulk', () => {
  it('stores every entry, readable as KV entries, and says so', async () => {
    await using nats = await startNatsServer()
    const nc = await nats.connect('operator')
    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    const kv = await ensureBucket(js, jsm, 'bulk-g1', { replicas: 1 })
    const entries = Array.from({ length: 25_000 }, (_, index) => ({
      bucket: 'bulk-g1',
      key: `key-${index}`,
      value: { index },
    }))
    let written = 0
    expect(await bulkWrite(nc, jsm, entries, { onWritten: (count) => (written += count) })).toBe(true)
    expect(written).toBe(25_000)
    expect((await kv.get('key-24999'))?.json()).toEqual({ index: 24_999 })
    expect((await kv.status()).values).toBe(25_000)
    await nc.close()
  })

  it('says when the bucket does not hold as many entries as were written, so the caller writes them again', async () => {
    await using nats = await startNatsServer()
    const nc = await nats.connect('operator')
    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    await ensureBucket(js, jsm, 'short-g1', { replicas: 1 })
    // The same key twice: the bucket keeps one, so the count falls short (as it would for a lost publish).
    const twice = [1, 2].map((index) => ({ bucket: 'short-g1', key: 'same', value: { index } }))
    expect(await bulkWrite(nc, jsm, twice, { settleMs: 200 })).toBe(false)
    await nc.close()
  })
})
