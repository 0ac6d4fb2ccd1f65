import { get as httpGet, type IncomingMessage } from 'node:http'
import { connect as tcpConnect } from 'node:net'
import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BroadcastEvent, Subscriber } from '../src/live/live-hub.ts'
import { liveClients } from './live-clients.ts'

// A small queue (a slow client is cut soon) and frequent heartbeats (they can be watched).
let system: RunningSystem
let ann: { id: string; token: string }
let bob: { id: string; token: string }

beforeAll(async () => {
  system = await startSystem({ liveClientQueue: 20, heartbeatMs: 200 })
  ann = await registerUser(system.commands, 'Ann')
  bob = await registerUser(system.commands, 'Bob')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})
const live = liveClients(() => system)
const { subscribe, settled, closeAll } = live
afterAll(() => closeAll())

/** A raw connection to an event stream that keeps every byte it receives. */
const rawStream = async (path: string, token: string) => {
  const { port } = new URL(system.queries.base)
  const socket = tcpConnect(Number(port), '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`)
  return { bytes: () => Buffer.concat(chunks), close: () => socket.destroy() }
}

/** The complete messages of an SSE text (the last one may be cut short), as [id, note version]. */
const versionsIn = (text: string) =>
  text
    .split('\n\n')
    .slice(0, -1)
    .flatMap((block) => {
      const id = /^id: (.+)$/m.exec(block)?.[1]
      const data = /^data: (.+)$/m.exec(block)?.[1]
      if (id === undefined || data === undefined) return []
      return [{ id, version: (JSON.parse(data) as { version: number }).version }]
    })

describe('idle connections', () => {
  it('each get heartbeat comments: the one shared timer reaches them all', async () => {
    const streams = await Promise.all(
      Array.from({ length: 30 }, (_, index) => subscribe('/events', index % 2 === 0 ? ann.token : bob.token)),
    )
    await Promise.all(
      streams.map((stream) => stream.until(() => stream.comments.length >= 2, 10_000, 'two heartbeats')),
    )
    expect(
      streams.every((stream) => stream.comments.every((comment) => comment.trim() === 'heartbeat')),
    ).toBe(true)
    for (const stream of streams) stream.close()
  })
})

describe('a change seen by many', () => {
  it('is encoded once: every recipient is given the same frame, and its bytes reach each socket as they are', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'for everyone' })
    await system.commands.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'read' },
      { token: ann.token },
    )
    await settled()
    const given: BroadcastEvent[] = []
    const recipient = (userId: string): Subscriber => ({
      userId,
      noteId: id,
      deliver: (event) => given.push(event),
      interrupt: () => {},
    })
    const unsubscribe = [ann.id, ann.id, bob.id].map((userId) =>
      system.queryContext.hub.subscribe(recipient(userId)),
    )
    const sockets = [await rawStream(`/notes/${id}/events`, ann.token), await rawStream(`/events`, bob.token)]
    // A stream sends its retry hint once it is subscribed.
    for (const socket of sockets) await expect.poll(() => socket.bytes().includes('retry:')).toBe(true)

    await system.commands.patch(`/notes/${id}`, { body: 'edited once' }, { token: ann.token })
    await expect.poll(() => given.length).toBe(3)
    const frame = given[0]?.frames.visible
    expect(frame).toBeDefined()
    expect(given.every((event) => event.frames.visible === frame)).toBe(true)
    for (const socket of sockets)
      await expect.poll(() => socket.bytes().indexOf(frame?.chunked ?? Buffer.alloc(1))).toBeGreaterThan(0)

    for (const stop of unsubscribe) stop()
    for (const socket of sockets) socket.close()
  })
})

describe('a client too slow for its queue', () => {
  it('is cut, and resuming with its last id gets every change it missed, none twice', {
    timeout: 90_000,
  }, async () => {
    const id = await createNote(system.commands, ann.token)
    await settled()
    const before = system.queryContext.hub.connections
    // A client that stops reading: Node stops taking bytes from its socket once it holds a little.
    const slow = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet(
        `${system.queries.base}/notes/${id}/events`,
        { agent: false, headers: { authorization: `Bearer ${ann.token}` } },
        resolve,
      ).once('error', reject),
    )
    slow.pause()
    await expect.poll(() => system.queryContext.hub.connections).toBe(before + 1)

    // More than the kernel's socket buffers can hold (as in live.int.test.ts), then the queue of 20.
    const big = 'x'.repeat(95_000)
    const edits = 450
    for (let i = 0; i < edits; i++)
      await system.commands.patch(`/notes/${id}`, { body: `${i} ${big}` }, { token: ann.token })
    await expect.poll(() => system.queryContext.hub.connections, { timeout: 20_000 }).toBe(before)

    // What reached the client before it was cut: read it to the end of the stream.
    let text = ''
    slow.setEncoding('utf8')
    slow.on('data', (chunk: string) => {
      text += chunk
    })
    slow.on('error', () => {})
    const ended = new Promise((resolve) => slow.once('close', resolve))
    slow.resume()
    await ended
    const first = versionsIn(text)
    expect(first.length).toBeGreaterThan(0)
    expect(first.length).toBeLessThan(edits)

    const resumed = await subscribe(`/notes/${id}/events`, ann.token, {
      'last-event-id': first.at(-1)?.id ?? '',
    })
    await resumed.received(edits - first.length, 60_000)
    const versions = [
      ...first.map(({ version }) => version),
      ...resumed.messages.map((message) => message.data.version),
    ]
    expect(versions).toEqual(Array.from({ length: edits }, (_, index) => index + 2))
    resumed.close()
  })
})
