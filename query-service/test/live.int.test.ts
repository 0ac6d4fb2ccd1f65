import { connect as tcpConnect } from 'node:net'
import {
  createNote,
  metricValue,
  type RunningSystem,
  registerUser,
  scrapeMetrics,
  startSystem,
} from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fiveMissedThenLive, liveClients, resumeAfterFiveMissedEdits, summary } from './live-clients.ts'

let system: RunningSystem
let ann: { id: string; token: string }
let bob: { id: string; token: string }
let carl: { id: string; token: string }

beforeAll(async () => {
  system = await startSystem({ liveClientQueue: 20 })
  ann = await registerUser(system.commands, 'Ann')
  bob = await registerUser(system.commands, 'Bob')
  carl = await registerUser(system.commands, 'Carl')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

const live = liveClients(() => system)
const { subscribe, open, settled, writtenSoFar, closeAll } = live
afterAll(() => closeAll())

describe('two users sharing a note, and a third', () => {
  it('each receive exactly the changes they may see', async () => {
    const annStream = await subscribe('/events', ann.token)
    const bobStream = await subscribe('/events', bob.token)
    const carlStream = await subscribe('/events', carl.token)

    const id = await createNote(system.commands, ann.token, { title: 'Shared', body: 'v1' })
    await system.commands.patch(`/notes/${id}`, { body: 'v2' }, { token: ann.token })
    await system.commands.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'write' },
      { token: ann.token },
    )
    await system.commands.patch(`/notes/${id}`, { body: 'v3 by bob' }, { token: bob.token })
    await system.commands.patch(`/notes/${id}`, { body: 'v4 by ann' }, { token: ann.token })
    await system.commands.delete(`/notes/${id}/shares/${bob.id}`, { token: ann.token })
    await system.commands.patch(`/notes/${id}`, { body: 'v5 private' }, { token: ann.token })

    await annStream.received(7)
    await bobStream.received(4)
    await settled()
    expect(summary(annStream)).toEqual([
      ['NoteCreated', 'v1'],
      ['NoteEdited', 'v2'],
      ['NoteShared', 'v2'],
      ['NoteEdited', 'v3 by bob'],
      ['NoteEdited', 'v4 by ann'],
      ['NoteUnshared', 'v4 by ann'],
      ['NoteEdited', 'v5 private'],
    ])
    // Bob: from the moment it is shared with him, to the last event when it is not any more.
    expect(summary(bobStream)).toEqual([
      ['NoteShared', 'v2'],
      ['NoteEdited', 'v3 by bob'],
      ['NoteEdited', 'v4 by ann'],
      ['NoteUnshared', null],
    ])
    expect(carlStream.messages).toEqual([])

    const edit = bobStream.messages[1]
    expect(edit?.data).toMatchObject({
      noteId: id,
      version: 4,
      type: 'NoteEdited',
      actor: { id: bob.id, name: 'Bob' },
    })
    expect(edit?.data.time).toEqual(expect.any(String))
    expect(edit?.id).toMatch(/^\d+$/)
    const ids = annStream.messages.map((message) => Number(message.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(annStream.retry).toBe(2000)
  })

  it('sends a last event with no note when the note is deleted, then nothing more of it', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'doomed' })
    await system.commands.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'read' },
      { token: ann.token },
    )
    const bobStream = await subscribe(`/notes/${id}/events`, bob.token)
    await system.commands.delete(`/notes/${id}`, { token: ann.token })
    await bobStream.received(1)
    expect(bobStream.messages[0]).toMatchObject({ event: 'NoteDeleted', data: { noteId: id, note: null } })
  })
})

describe('one note', () => {
  it('streams only the changes of that note', async () => {
    const watched = await createNote(system.commands, ann.token, { body: 'watched' })
    const other = await createNote(system.commands, ann.token, { body: 'other' })
    const stream = await subscribe(`/notes/${watched}/events`, ann.token)
    await system.commands.patch(`/notes/${other}`, { body: 'other 2' }, { token: ann.token })
    await system.commands.patch(`/notes/${watched}`, { body: 'watched 2' }, { token: ann.token })
    await stream.received(1)
    await settled()
    expect(summary(stream)).toEqual([['NoteEdited', 'watched 2']])
  })

  it('is 404 for a note the caller cannot see, and 401 without a token', async () => {
    const id = await createNote(system.commands, ann.token)
    const hidden = await open(`/notes/${id}/events`, {
      authorization: `Bearer ${carl.token}`,
      ...(await writtenSoFar()),
    })
    expect(hidden.status).toBe(404)
    const anonymous = await open('/events')
    expect(anonymous.status).toBe(401)
  })
})

describe('resuming with Last-Event-ID', () => {
  it('delivers exactly the five edits made while the client was away, then the live ones', async () => {
    const { bodies, ids } = await resumeAfterFiveMissedEdits(system, live, ann.token)
    expect(bodies).toEqual(fiveMissedThenLive)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('accepts the id as ?lastEventId= (and the token as ?access_token=, for EventSource)', async () => {
    const id = await createNote(system.commands, ann.token)
    await system.commands.patch(`/notes/${id}`, { body: 'one' }, { token: ann.token })
    await settled()
    const lastSeq = (await system.jsm.streams.info('NOTES')).state.last_seq
    await system.commands.patch(`/notes/${id}`, { body: 'two' }, { token: ann.token })
    const stream = await open(
      `/notes/${id}/events?access_token=${encodeURIComponent(ann.token)}&lastEventId=${lastSeq}`,
      await writtenSoFar(),
    )
    await stream.received(1)
    expect(summary(stream)).toEqual([['NoteEdited', 'two']])
  })

  it('delivers more missed events than a client may have queued on one connection, without cutting it', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'v0' })
    await settled()
    const lastSeq = (await system.jsm.streams.info('NOTES')).state.last_seq
    // Twice the queue limit (20) while the client is away.
    for (let edit = 1; edit <= 40; edit++)
      await system.commands.patch(`/notes/${id}`, { body: `v${edit}` }, { token: ann.token })
    await settled()
    const resumed = await subscribe(`/notes/${id}/events`, ann.token, { 'last-event-id': String(lastSeq) })
    await resumed.received(40)
    await system.commands.patch(`/notes/${id}`, { body: 'live' }, { token: ann.token })
    await resumed.received(41)
    expect(resumed.ended).toBe(false)
    expect(summary(resumed).map(([, body]) => body)).toEqual([
      ...Array.from({ length: 40 }, (_, index) => `v${index + 1}`),
      'live',
    ])
  })

  it('rejects an id this stream never sent with 400', async () => {
    const reply = await system.queries.get('/events', {
      token: ann.token,
      headers: { 'last-event-id': 'yesterday' },
    })
    expect(reply.status).toBe(400)
  })
})

describe('a stalled client', () => {
  it('is cut off without delaying a healthy one', { timeout: 60_000 }, async () => {
    const id = await createNote(system.commands, ann.token)
    await settled()
    const healthy = await subscribe(`/notes/${id}/events`, ann.token)
    const before = system.queryContext.hub.connections
    const cut = async () =>
      metricValue(await scrapeMetrics(system.queries.base), 'jetnotes_live_clients_cut_total') ?? 0
    const cutBefore = await cut()

    // A client that sends its request and never reads a byte.
    const stalled = tcpConnect(Number(new URL(system.queries.base).port), '127.0.0.1')
    await new Promise((resolve) => stalled.once('connect', resolve))
    stalled.write(`GET /notes/${id}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ann.token}\r\n\r\n`)
    stalled.pause()
    await expect.poll(() => system.queryContext.hub.connections).toBe(before + 1)

    // More than the largest socket buffers Linux allows here (tcp_rmem max 32 MB + tcp_wmem max 4 MB), then
    // the stalled client's queue (20): the server must cut it whatever the kernel buffers.
    const big = 'x'.repeat(95_000)
    const edits = 450
    for (let i = 0; i < edits; i++) {
      await system.commands.patch(`/notes/${id}`, { body: `${i} ${big}` }, { token: ann.token })
    }
    await healthy.received(edits, 30_000)
    expect(healthy.messages.map((message) => (message.data.note as { version: number }).version)).toEqual(
      Array.from({ length: edits }, (_, i) => i + 2),
    )
    // The server let go of the stalled client...
    await expect.poll(() => system.queryContext.hub.connections, { timeout: 10_000 }).toBe(before)
    expect(await cut()).toBe(cutBefore + 1)
    // ...and its socket ends once it reads what the kernel still held for it: far less than every edit.
    let bytes = 0
    stalled.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    const ended = new Promise<void>((resolve) => stalled.once('close', () => resolve()))
    stalled.resume()
    await ended
    expect(bytes).toBeGreaterThan(0)
    expect(bytes).toBeLessThan(edits * big.length)
  })
})

describe('an account change', () => {
  it('ends the streams opened with a token that was rotated or whose account was deactivated', async () => {
    const eve = await registerUser(system.commands, 'Eve')
    const rotated = await subscribe('/events', eve.token)
    const reply = await system.commands.post('/users/me/token', undefined, { token: eve.token })
    expect(reply.status).toBe(200)
    await rotated.until(() => rotated.ended, 5_000, 'the end of the stream')
    expect((await open('/events', { authorization: `Bearer ${eve.token}` })).status).toBe(401)

    const newToken = reply.body.token as string
    const deactivated = await subscribe('/events', newToken)
    const other = await subscribe('/events', ann.token)
    expect((await system.commands.delete('/users/me', { token: newToken })).status).toBe(204)
    await deactivated.until(() => deactivated.ended, 5_000, 'the end of the stream')
    expect(other.ended).toBe(false)
  })
})
