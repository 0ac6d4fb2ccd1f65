import type {} from '@fastify/sse'
import type { FastifyReply } from 'fastify'
import type { BroadcastEvent, Subscriber } from './live-hub.ts'
import type { SseFrame } from './sse-frame.ts'

export type ConnectionLimits = {
  /** Events a connection may have waiting before it is cut (it then resumes with its last id). */
  maxQueuedEvents: number
}

/** Where a connection with frames to write waits for the one pass that writes every such connection's frames. */
export interface WriteBatch {
  writeSoon(connection: { flush(): void }): void
}

/**
 * One SSE client. A delivered event is queued as a reference to its frame (encoded once for all recipients);
 * the connection is then written with everything it has queued in one pass over all such connections, at
 * the end of the event loop's turn (`WriteBatch`): no timer, closure or promise per client per event.
 *
 * Frames go to the socket as they are (a frame is already an HTTP chunk), as long as the socket takes them;
 * when it is full the connection waits for it to drain, so a slow client never slows the hub or the other
 * clients. When its queue is full the client is disconnected; its EventSource reconnects with the last id it
 * received and is served exactly what it missed.
 */
export class LiveConnection implements Subscriber {
  /** Frames not written yet, from `#head` on (a resume's burst may be thousands: no `shift` per frame). */
  #queue: SseFrame[] = []
  #head = 0
  /**
   * How many of the queued frames are a resume's catch-up: they do not count against `maxQueuedEvents`. A
   * resume's catch-up is all delivered before the connection's first live event (the hub attaches it after),
   * so they are always the first frames in the queue.
   */
  #catchUpQueued = 0
  /** Whoever waits for the queue to empty below half the limit (a replay from the log). */
  #roomWaiters: (() => void)[] | undefined
  #inBatch = false
  #waitingForDrain = false
  /** Whether anything was written since the last heartbeat tick (then none is needed). */
  #wroteSinceHeartbeat = false
  #closed = false

  constructor(
    readonly userId: string,
    readonly noteId: string | undefined,
    private readonly reply: FastifyReply,
    private readonly limits: ConnectionLimits,
    private readonly batch: WriteBatch,
    private readonly onCut: (connection: LiveConnection) => void,
  ) {}

  deliver(event: BroadcastEvent, visible: boolean, catchUp = false): void {
    if (this.#closed) return
    // A client that missed much gets it in one burst (shared frames: a reference each), and is cut only if
    // live events then pile up behind it; counting the burst would cut it before it could read anything.
    if (!catchUp && this.#queued - this.#catchUpQueued >= this.limits.maxQueuedEvents) {
      this.onCut(this)
      this.close({ force: true })
      return
    }
    this.#queue.push(visible ? event.frames.visible : event.frames.hidden)
    if (catchUp) this.#catchUpQueued++
    if (!this.#inBatch && !this.#waitingForDrain) {
      this.#inBatch = true
      this.batch.writeSoon(this)
    }
  }

  get #queued() {
    return this.#queue.length - this.#head
  }

  /** Writes what is queued, as far as the socket takes it (called by the `WriteBatch`). */
  flush(): void {
    this.#inBatch = false
    if (this.#closed || this.#waitingForDrain) return
    let room = true
    if (this.#head < this.#queue.length) this.#wroteSinceHeartbeat = true
    while (room && this.#head < this.#queue.length) {
      const frame = this.#queue[this.#head] as SseFrame
      this.#head++
      if (this.#catchUpQueued > 0) this.#catchUpQueued--
      room = this.#write(frame)
    }
    if (this.#head === this.#queue.length) {
      this.#queue = []
      this.#head = 0
    } else if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    if (this.#roomWaiters !== undefined && this.#queued < this.limits.maxQueuedEvents / 2)
      this.#wakeRoomWaiters()
  }

  /** One tick of the shared heartbeat: a comment, for a connection that has sent nothing since the last. */
  heartbeat(comment: SseFrame): void {
    if (this.#closed) return
    if (this.#wroteSinceHeartbeat || this.#queued > 0 || this.#waitingForDrain) {
      this.#wroteSinceHeartbeat = false
      return
    }
    this.#write(comment)
  }

  /**
   * Writes one frame; false when the socket is full (the connection then waits for it to drain). The frame
   * goes to the socket itself: it is already a chunk of the response, and the response would frame it again
   * and defer the write to the next tick. A response that has no socket yet (the client pipelined it behind
   * another request) buffers it, framed by Node, until its turn.
   */
  #write(frame: SseFrame): boolean {
    const response = this.reply.raw
    const socket = response.socket
    const room =
      socket === null
        ? response.write(frame.plain)
        : socket.write(response.chunkedEncoding ? frame.chunked : frame.plain)
    if (!room) {
      this.#waitingForDrain = true
      ;(socket ?? response).once('drain', this.#drained)
    }
    return room
  }

  readonly #drained = () => {
    this.#waitingForDrain = false
    this.flush()
  }

  /**
   * Resolves once the queue is below half the limit again. A client that reads nothing for `stalledMs`
   * meanwhile is cut (it holds one of the hub's few replay slots), which resolves it too.
   */
  whenRoom(stalledMs = 10_000): Promise<void> {
    if (this.#closed || this.#queued < this.limits.maxQueuedEvents) return Promise.resolve()
    return new Promise((resolve) => {
      const stalled = setTimeout(() => {
        this.onCut(this)
        this.close({ force: true })
      }, stalledMs)
      this.#roomWaiters ??= []
      this.#roomWaiters.push(() => {
        clearTimeout(stalled)
        resolve()
      })
    })
  }

  #wakeRoomWaiters() {
    const waiters = this.#roomWaiters ?? []
    this.#roomWaiters = undefined
    for (const resolve of waiters) resolve()
  }

  interrupt(): void {
    this.close()
  }

  /** Ends the stream. `force` drops the socket at once (a stalled client would never take a clean end). */
  close({ force = false } = {}): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue = []
    this.#head = 0
    this.#catchUpQueued = 0
    this.#wakeRoomWaiters()
    // A client that is not reading would hold a clean end (and a shutdown waiting for it) forever.
    const response = this.reply.raw
    if (force || this.#waitingForDrain || response.writableNeedDrain) response.destroy()
    else this.reply.sse.close()
  }

  get closed(): boolean {
    return this.#closed
  }
}
