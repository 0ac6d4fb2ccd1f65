import { encodeConsistencyToken } from '@jetnotes/schemas'
import { createNote, type EventStream, openEventStream, type RunningSystem } from '@jetnotes/testing'
import { expect } from 'vitest'

/** SSE clients of one running system, closed together, and the waits the live tests need. */
export const liveClients = (systemOf: () => RunningSystem) => {
  const streams: EventStream[] = []

  /** A Consistency-Token for everything written so far, as a client passes the one its last write returned. */
  const writtenSoFar = async (): Promise<Record<string, string>> => {
    const seq = (await systemOf().jsm.streams.info('NOTES')).state.last_seq
    return seq === 0 ? {} : { 'consistency-token': encodeConsistencyToken({ stream: 'NOTES', seq }) }
  }

  return {
    writtenSoFar,

    /** Opens a stream (and checks it is one), waiting until the views include every write so far. */
    subscribe: async (path: string, token: string, headers: Record<string, string> = {}) => {
      const stream = await openEventStream(`${systemOf().queries.base}${path}`, {
        authorization: `Bearer ${token}`,
        // A note created a moment ago may not be in the views yet: the token makes the request wait for it.
        ...(await writtenSoFar()),
        ...headers,
      })
      expect(stream.status).toBe(200)
      expect(stream.headers.get('content-type')).toContain('text/event-stream')
      streams.push(stream)
      return stream
    },

    /** Opens a stream as given (no checks, no token added); it is closed with the others. */
    open: async (path: string, headers: Record<string, string> = {}) => {
      const stream = await openEventStream(`${systemOf().queries.base}${path}`, headers)
      streams.push(stream)
      return stream
    },

    /** Waits until the live hub has processed everything in the log, so "nothing arrived" means nothing will. */
    settled: async () => {
      const system = systemOf()
      const last = (await system.jsm.streams.info('NOTES')).state.last_seq
      await expect
        .poll(() => system.queryContext.hub.position.seq, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(last)
    },

    closeAll: () => {
      for (const stream of streams) stream.close()
    },
  }
}

/** Each message as [event type, note body or null]: what a test compares. */
export const summary = (stream: EventStream) =>
  stream.messages.map((message) => [
    message.event,
    (message.data.note as { body?: string } | null)?.body ?? null,
  ])

/**
 * A client follows a note, drops, misses five edits of it (and changes to another note), and resumes with its
 * last id; then one more edit is made live. Returns the bodies the resumed stream received, and its ids.
 */
export const resumeAfterFiveMissedEdits = async (
  system: RunningSystem,
  clients: ReturnType<typeof liveClients>,
  token: string,
) => {
  const id = await createNote(system.commands, token, { body: 'start' })
  const first = await clients.subscribe(`/notes/${id}/events`, token)
  await system.commands.patch(`/notes/${id}`, { body: 'seen' }, { token })
  await first.received(1)
  const lastId = first.messages.at(-1)?.id ?? ''
  first.close()

  for (let i = 1; i <= 5; i++) {
    await system.commands.patch(`/notes/${id}`, { body: `missed ${i}` }, { token })
    // Changes to another note in between must not leak into this note's stream.
    await createNote(system.commands, token, { body: `elsewhere ${i}` })
  }
  await clients.settled()
  const resumed = await clients.subscribe(`/notes/${id}/events`, token, { 'last-event-id': lastId })
  await resumed.received(5)
  await system.commands.patch(`/notes/${id}`, { body: 'live again' }, { token })
  await resumed.received(6)
  await clients.settled()
  return {
    bodies: summary(resumed).map(([, body]) => body),
    ids: resumed.messages.map((message) => message.id),
  }
}

/** What `resumeAfterFiveMissedEdits` must receive: exactly the missed edits, in order, then the live one. */
export const fiveMissedThenLive = ['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'live again']
