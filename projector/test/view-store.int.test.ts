import { ensureBucket } from '@jetnotes/platform'
import { startNatsServer } from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { describe, expect, it } from 'vitest'
import { ViewStore } from '../src/view-store.ts'

describe('a write no server answers', () => {
  // As on a cluster while a bucket's stream elects a new leader: a publish there has no responders.
  it('fails the flush, so the batch is folded again, instead of giving the entry up', async () => {
    await using nats = await startNatsServer()
    await using nc = await nats.connect('operator')
    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    const kv = await ensureBucket(js, jsm, 'lists-g1', { replicas: 1 })
    const views = new ViewStore({ 'note-lists': kv })
    await jsm.streams.delete('KV_lists-g1')

    views.set('note-lists', 'someone', { notes: ['a'] })
    await expect(views.flush({ retryDelaysMs: [] })).rejects.toThrow()
    expect(views.pendingWrites).toBe(1)
  })
})
