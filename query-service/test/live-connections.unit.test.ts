import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LiveConnections, type TrackedConnection } from '../src/live/live-connections.ts'
import { commentFrame, eventFrame, type SseFrame } from '../src/live/sse-frame.ts'

/** A connection that records what the registry asks of it. */
const recorder = (userId = 'u') => {
  const heartbeats: SseFrame[] = []
  let flushes = 0
  const connection: TrackedConnection = {
    userId,
    heartbeat: (comment) => heartbeats.push(comment),
    flush: () => {
      flushes++
    },
    close: () => {},
  }
  return {
    connection,
    heartbeats,
    get flushes() {
      return flushes
    },
  }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the open live connections', () => {
  it('have one heartbeat timer, however many they are, and every connection hears each tick', () => {
    const timersBefore = vi.getTimerCount()
    const connections = new LiveConnections<TrackedConnection>(1_000)
    const clients = Array.from({ length: 500 }, (_, index) => recorder(`u${index}`))
    for (const client of clients) connections.track(client.connection, 'token')
    expect(vi.getTimerCount()).toBe(timersBefore + 1)

    vi.advanceTimersByTime(3_000)
    expect(clients.every((client) => client.heartbeats.length === 3)).toBe(true)
    // One comment for all: the same bytes, encoded once.
    expect(new Set(clients.flatMap((client) => client.heartbeats)).size).toBe(1)
    expect(clients[0]?.heartbeats[0]?.plain.toString()).toBe(': heartbeat\n\n')

    connections.closeAll()
    expect(vi.getTimerCount()).toBe(timersBefore)
  })

  it('write the connections given events in one pass, once the work of this turn is done', () => {
    const connections = new LiveConnections<TrackedConnection>(1_000)
    const clients = Array.from({ length: 100 }, () => recorder())
    for (const client of clients) connections.writeSoon(client.connection)
    expect(clients.every((client) => client.flushes === 0)).toBe(true)
    vi.runOnlyPendingTimers()
    expect(clients.every((client) => client.flushes === 1)).toBe(true)
    vi.runOnlyPendingTimers()
    expect(clients.every((client) => client.flushes === 1)).toBe(true)
    connections.closeAll()
  })
})

describe('an SSE frame', () => {
  it('is the message as an HTTP chunk, and the same bytes without the chunk framing', () => {
    const frame = eventFrame('12-1', 'NoteEdited', '{"note":"é"}')
    const message = 'id: 12-1\nevent: NoteEdited\ndata: {"note":"é"}\n\n'
    expect(frame.plain.toString()).toBe(message)
    expect(frame.chunked.toString()).toBe(`${Buffer.byteLength(message).toString(16)}\r\n${message}\r\n`)
    expect(frame.plain.buffer).toBe(frame.chunked.buffer)
    expect(commentFrame('heartbeat').plain.toString()).toBe(': heartbeat\n\n')
  })

  it('refuses data that would not stay one data line', () => {
    expect(() => eventFrame('1', 'NoteEdited', 'two\nlines')).toThrow(/line break/)
  })
})
