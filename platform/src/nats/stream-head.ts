import type { JsMsg } from '@nats-io/jetstream'

/** A stream's last sequence as a process knows it, and when it last heard so. */
export type StreamHeadReading = {
  /** The stream's last sequence (0 until something is known). */
  seq: number
  /** When this was last confirmed, in ms since the epoch (0: never). */
  at: number
}

/**
 * The end of a stream as a process that follows it sees it, without asking the server. A view at position `p`
 * is `seq - p` events behind.
 */
export interface StreamHead {
  readonly stream: string
  read(): StreamHeadReading
}

/**
 * A StreamHead kept by a follower of the stream (an ordered consumer). Every delivered message says how many
 * messages are still pending after it, so `seq + pending` is the stream's last sequence when it was delivered,
 * even while the follower is behind. Whatever else learns the last sequence (stream info) may `advance` it too.
 * It never moves back: the event-log streams deny deletes and purges.
 */
export class FollowedStreamHead implements StreamHead {
  #reading: StreamHeadReading = { seq: 0, at: 0 }

  constructor(readonly stream: string) {}

  /** A message the follower received. */
  observe(message: Pick<JsMsg, 'seq' | 'info'>): void {
    this.advance(message.seq + message.info.pending)
  }

  /** The stream's last sequence as learnt at `at` (a stream info: the time it was asked). */
  advance(lastSeq: number, at = Date.now()): void {
    this.#reading = { seq: Math.max(this.#reading.seq, lastSeq), at: Math.max(this.#reading.at, at) }
  }

  read(): StreamHeadReading {
    return this.#reading
  }
}
