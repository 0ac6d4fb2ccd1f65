import type {} from '@fastify/sse'
import type { FastifyReply } from 'fastify'
import { formatEventId } from './live-event.ts'
import type { BroadcastEvent, Subscriber } from './live-hub.ts'

export type ConnectionLimits = {
  /** Events a connection may have waiting before it is cut (it then resumes with its last id). */
  maxQueuedEvents: number
}

/**
 * One SSE client. Events are queued and written one at a time, waiting for the socket to drain, so a slow
 * client never slows the hub or the other clients. When its queue is full the client is disconnected; its
 * EventSource reconnects with the last id it received and is served exactly what it missed.
 */
export class LiveConnection implements Subscriber {
  readonly #queue: { id: string; event: string; data: string; catchUp: boolean }[] = []
  /** Queued events that are a resume's catch-up: they do not count against `maxQueuedEvents`. */
  #catchUpQueued = 0
  /** Whoever waits for the queue to empty below the limit (a replay from the log). */
  #roomWaiters: (() => void)[] = []
  #writing = false
  #closed = false

  constructor(
    readonly userId: string,
    readonly noteId: string | undefined,
    private readonly reply: FastifyReply,
    private readonly limits: ConnectionLimits,
    private readonly onCut: (connection: LiveConnection) => void,
  ) {}

  deliver(event: BroadcastEvent, visible: boolean, catchUp = false): void {
    if (this.#closed) return
    // A client that missed much gets it in one burst (shared frames: a reference each), and is cut only if
    // live events then pile up behind it; counting the burst would cut it before it could read anything.
    if (!catchUp && this.#queue.length - this.#catchUpQueued >= this.limits.maxQueuedEvents) {
      this.onCut(this)
      this.close({ force: true })
      return
    }
    this.#queue.push({
      id: formatEventId(event.position),
      event: event.type,
      data: visible ? event.frames.visible : event.frames.hidden,
      catchUp,
    })
    if (catchUp) this.#catchUpQueued++
    void this.#drain()
  }

  /**
   * Resolves once the queue is below half the limit again. A client that reads nothing for `stalledMs`
   * meanwhile is cut (it holds one of the hub's few replay slots), which resolves it too.
   */
  whenRoom(stalledMs = 10_000): Promise<void> {
    if (this.#closed || this.#queue.length < this.limits.maxQueuedEvents) return Promise.resolve()
    return new Promise((resolve) => {
      const stalled = setTimeout(() => {
        this.onCut(this)
        this.close({ force: true })
      }, stalledMs)
      this.#roomWaiters.push(() => {
        clearTimeout(stalled)
        resolve()
      })
    })
  }

  #wakeRoomWaiters() {
    const waiters = this.#roomWaiters
    this.#roomWaiters = []
    for (const resolve of waiters) resolve()
  }

  interrupt(): void {
    this.close()
  }

  /** Ends the stream. `force` drops the socket at once (a stalled client would never take a clean end). */
  close({ force = false } = {}): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue.length = 0
    this.#catchUpQueued = 0
    this.#wakeRoomWaiters()
    // A client that is not reading would hold a clean end (and a shutdown waiting for it) forever.
    if (force || this.reply.raw.writableNeedDrain) this.reply.raw.destroy()
    else this.reply.sse.close()
  }

  get closed(): boolean {
    return this.#closed
  }

  async #drain() {
    if (this.#writing) return
    this.#writing = true
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const message = this.#queue.shift()
        if (message === undefined) continue
        if (message.catchUp) this.#catchUpQueued--
        if (this.#roomWaiters.length > 0 && this.#queue.length < this.limits.maxQueuedEvents / 2)
          this.#wakeRoomWaiters()
        await this.reply.sse.send({ id: message.id, event: message.event, data: message.data })
      }
    } catch {
      this.close({ force: true })
    } finally {
      this.#writing = false
    }
  }
}
