import { connect as tcpConnect } from 'node:net'
import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fiveMissedThenLive, liveClients, resumeAfterFiveMissedEdits, summary } from './live-clients.ts'

// A query-service that keeps (almost) no history in memory: every resume is replayed from the log, and
// heartbeats come often enough to watch.
let system: RunningSystem
let ann: { id: string; token: string }
let bob: { id: string; token: string }

beforeAll(async () => {
  system = await startSystem({ liveHistoryBytes: 1, heartbeatMs: 200 })
  ann = await registerUser(system.commands, 'Ann')
  bob = await registerUser(system.commands, 'Bob')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})
const live = liveClients(() => system)
const { subscribe, settled, closeAll } = live
afterAll(() => closeAll())

describe('resuming from the log', () => {
  it('replays exactly the missed events, then the live ones, when memory no longer holds them', async () => {
    const { bodies, ids } = await resumeAfterFiveMissedEdits(system, live, ann.token)
    expect(bodies).toEqual(fiveMissedThenLive)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('applies visibility as it was at each event: a share revoked while away ends with a null note', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'shared' })
    await system.commands.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'read' },
      { token: ann.token },
    )
    const first = await subscribe('/events', bob.token)
    await system.commands.patch(`/notes/${id}`, { body: 'seen by bob' }, { token: ann.token })
    await first.received(1)
    const lastId = first.messages.at(-1)?.id ?? ''
    first.close()

    await system.commands.patch(`/notes/${id}`, { body: 'missed' }, { token: ann.token })
    await system.commands.delete(`/notes/${id}/shares/${bob.id}`, { token: ann.token })
    await system.commands.patch(`/notes/${id}`, { body: 'private again' }, { token: ann.token })
    await settled()
    const resumed = await subscribe('/events', bob.token, { 'last-event-id': lastId })
    await resumed.received(2)
    await settled()
    expect(summary(resumed)).toEqual([
      ['NoteEdited', 'missed'],
      ['NoteUnshared', null],
    ])
  })
})

describe('resuming from an id this query-service has not reached yet', () => {
  it('sends only what comes after it (the client was on another instance, further along the log)', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'v1' })
    await settled()
    const first = await subscribe('/events', ann.token)
    await system.commands.patch(`/notes/${id}`, { body: 'v2' }, { token: ann.token })
    await first.received(1)
    const seq = Number(first.messages.at(-1)?.id)
    first.close()
    // As if another query-service had already sent the next two changes (not made yet) to this client.
    const resumed = await subscribe('/events', ann.token, { 'last-event-id': String(seq + 2) })
    for (const body of ['v3', 'v4', 'v5'])
      await system.commands.patch(`/notes/${id}`, { body }, { token: ann.token })
    await resumed.received(1)
    await settled()
    expect(summary(resumed)).toEqual([['NoteEdited', 'v5']])
    expect(resumed.messages.map((message) => message.id)).toEqual([String(seq + 3)])
  })
})

describe('an idle stream', () => {
  it('gets heartbeat comments, so proxies keep it open', async () => {
    const stream = await subscribe('/events', ann.token)
    await stream.until(() => stream.comments.length >= 2, 5_000, 'two heartbeats')
    expect(stream.messages).toEqual([])
    expect(stream.comments.every((comment) => comment.trim() === 'heartbeat')).toBe(true)
  })
})

describe('a replay from the log longer than a client may have queued', () => {
  it('is paced by the client: all of it arrives on one connection', { timeout: 60_000 }, async () => {
    await using other = await startSystem({ liveHistoryBytes: 1, liveClientQueue: 5 })
    const user = await registerUser(other.commands, 'Eve')
    const id = await createNote(other.commands, user.token, { body: 'v0' })
    const clients = liveClients(() => other)
    const first = await clients.subscribe(`/notes/${id}/events`, user.token)
    await other.commands.patch(`/notes/${id}`, { body: 'seen' }, { token: user.token })
    await first.received(1)
    const lastId = first.messages.at(-1)?.id ?? ''
    first.close()
    for (let edit = 1; edit <= 30; edit++)
      await other.commands.patch(`/notes/${id}`, { body: `missed ${edit}` }, { token: user.token })
    const resumed = await clients.subscribe(`/notes/${id}/events`, user.token, { 'last-event-id': lastId })
    await resumed.received(30)
    expect(resumed.ended).toBe(false)
    expect(summary(resumed).map(([, body]) => body)).toEqual(
      Array.from({ length: 30 }, (_, index) => `missed ${index + 1}`),
    )
    clients.closeAll()
  })
})

describe('shutting down', () => {
  it('ends every live stream, even one whose client stopped reading', { timeout: 60_000 }, async () => {
    // A queue so long that the stalled client is never cut for being slow: only the shutdown ends it.
    const other = await startSystem({ liveClientQueue: 100_000 })
    const user = await registerUser(other.commands, 'Dora')
    const id = await createNote(other.commands, user.token)
    const clients = liveClients(() => other)
    const streams = [
      await clients.subscribe('/events', user.token),
      await clients.subscribe(`/notes/${id}/events`, user.token),
    ]
    const stalled = tcpConnect(Number(new URL(other.queries.base).port), '127.0.0.1')
    await new Promise((resolve) => stalled.once('connect', resolve))
    stalled.write(`GET /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n\r\n`)
    stalled.pause()
    await expect.poll(() => other.queryContext.hub.connections).toBe(3)
    // More than the kernel buffers on loopback can hold (see the stalled-client test).
    const big = 'x'.repeat(95_000)
    for (let i = 0; i < 450; i++) {
      await other.commands.patch(`/notes/${id}`, { body: `${i} ${big}` }, { token: user.token })
    }
    await Promise.all(streams.map((stream) => stream.received(450, 30_000)))

    await other[Symbol.asyncDispose]()
    await Promise.all(streams.map((stream) => stream.until(() => stream.ended, 5_000, 'the end')))
    expect(streams.every((stream) => stream.ended)).toBe(true)
    stalled.destroy()
  })
})
