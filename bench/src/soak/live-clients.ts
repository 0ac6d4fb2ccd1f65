import { type EventStream, type LiveMessage, openEventStream, seededRandom } from '@jetnotes/testing'
import type { SoakUser } from './workload.ts'

/** One message a live client received: its SSE id, and what it says about which note. */
export type ReceivedEvent = {
  id: string
  type: string
  noteId: string
  version: number
  /** Whether it carried the note (null: the user has just lost sight of it). */
  withNote: boolean
}

/** Everything one live client received over all its connections, in order. */
export type LiveRecord = { userId: string; client: number; received: ReceivedEvent[] }

const received = ({ id, event, data }: LiveMessage): ReceivedEvent => ({
  id: id ?? '',
  type: event ?? '',
  noteId: String(data.noteId),
  version: Number(data.version),
  withNote: data.note !== null && data.note !== undefined,
})

export type LiveClientStats = {
  connections: number
  /** Connections that carried a Last-Event-ID. */
  resumes: number
  /** Connections the server (or its death) ended. */
  dropped: number
  /** Attempts that got no stream (no answer, or a status other than 200). */
  refused: number
  /** Connections without a Last-Event-ID after the first (the client had received nothing to resume from). */
  freshStarts: number
}

/**
 * A client of `/events` that behaves as a browser's EventSource would: when its stream ends (or it closes it
 * itself, now and then, to exercise resumes) it reconnects with the id of the last message it received as
 * Last-Event-ID. Its first connection carries none: the stream starts at the present.
 */
export const startLiveClient = (
  queryUrls: readonly string[],
  user: SoakUser,
  client: number,
  seed: number,
  /** A voluntary disconnect comes after this long connected, on average. */
  dwellMs: number,
) => {
  const random = seededRandom(seed * 7_919 + client)
  const record: LiveRecord = { userId: user.id, client, received: [] }
  const stats: LiveClientStats = { connections: 0, resumes: 0, dropped: 0, refused: 0, freshStarts: 0 }
  let stopped = false
  let current: EventStream | undefined
  let wake = () => {}
  /** Resolves once the first connection is open (so a workload started after it is seen whole). */
  let connected = () => {}
  const firstConnection = new Promise<void>((resolve) => {
    connected = resolve
  })
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const run = async () => {
    while (!stopped) {
      const lastId = record.received.at(-1)?.id
      const url = `${queryUrls[Math.floor(random() * queryUrls.length)]}/events`
      const headers: Record<string, string> = { authorization: `Bearer ${user.token}` }
      if (lastId !== undefined) headers['last-event-id'] = lastId
      let stream: EventStream
      try {
        stream = await openEventStream(url, headers)
      } catch {
        stats.refused++
        await sleep(500)
        continue
      }
      if (stream.status !== 200) {
        stream.close()
        stats.refused++
        await sleep(500)
        continue
      }
      stats.connections++
      if (lastId !== undefined) stats.resumes++
      else if (stats.connections > 1) stats.freshStarts++
      connected()
      current = stream
      // Connected until the server ends the stream, the client decides to leave (only once it has an id to
      // resume from), or the soak stops.
      const hasId = () => lastId !== undefined || stream.messages.length > 0
      if (!hasId()) await stream.until(() => stream.ended || hasId(), 3_600_000, 'a message').catch(() => {})
      await stream.until(() => stream.ended, dwellMs * 2 * random(), 'the end').catch(() => {})
      if (stream.ended && !stopped) stats.dropped++
      stream.close()
      current = undefined
      record.received.push(...stream.messages.map(received))
      if (!stopped) await sleep(stream.ended ? 300 + 700 * random() : 50)
    }
  }
  const running = run()
  return {
    record,
    stats,
    firstConnection,
    /** What it has received so far, the open connection's messages included. */
    receivedSoFar: (): ReceivedEvent[] => [...record.received, ...(current?.messages.map(received) ?? [])],
    /** Ends the client after its current connection's messages are recorded. */
    stop: async () => {
      stopped = true
      current?.close()
      wake()
      await running
    },
  }
}

export type LiveClient = ReturnType<typeof startLiveClient>
