import type { LiveConnection, WriteBatch } from './live-connection.ts'
import { commentFrame, type SseFrame } from './sse-frame.ts'

/** What the registry does with a connection (a `LiveConnection`). */
export type TrackedConnection = {
  readonly userId: string
  heartbeat(comment: SseFrame): void
  flush(): void
  close(): void
}

const heartbeat = commentFrame('heartbeat')

/**
 * The open live connections of one query-service, each with the token it was opened with, and the two things
 * done for all of them at once rather than for each: the heartbeat (one timer for every connection; a
 * connection that has written nothing since the previous tick gets a `: heartbeat` comment, so an idle stream
 * survives proxies) and the writes (a connection given events is written once the hub's work of this turn of
 * the event loop is done, with everything it got meanwhile, in one pass over such connections).
 */
export class LiveConnections<Connection extends TrackedConnection = LiveConnection> implements WriteBatch {
  readonly #tokens = new Map<Connection, string>()
  #due: Connection[] = []
  readonly #heartbeat: NodeJS.Timeout

  constructor(heartbeatMs: number) {
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#tokens.keys()) connection.heartbeat(heartbeat)
    }, heartbeatMs)
    // A service stops by closing its connections; this timer alone must not keep it running.
    this.#heartbeat.unref()
  }

  writeSoon(connection: Connection): void {
    this.#due.push(connection)
    if (this.#due.length === 1) setImmediate(this.#writeDue)
  }

  readonly #writeDue = () => {
    const due = this.#due
    this.#due = []
    for (const connection of due) connection.flush()
  }

  track(connection: Connection, token: string): void {
    this.#tokens.set(connection, token)
  }

  untrack(connection: Connection): void {
    this.#tokens.delete(connection)
  }

  /** Each open connection with the token it was opened with. */
  entries(): IterableIterator<[Connection, string]> {
    return this.#tokens.entries()
  }

  /** Closes every connection and stops the heartbeat (on shutdown). */
  closeAll(): void {
    clearInterval(this.#heartbeat)
    for (const connection of this.#tokens.keys()) connection.close()
    this.#tokens.clear()
  }
}
