import type { FollowedStreamHead, StreamHeadReading } from '@jetnotes/platform'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'

/**
 * The last sequence of each stream the views fold, as this process knows it without a round trip per read. The
 * process already follows those streams (the live hub follows NOTES, the user directory USERS), and each message
 * they receive tells the stream's last sequence within milliseconds of a write.
 *
 * A follower that has received nothing for a while is idle, stalled or cut off, which look the same from inside;
 * so every `intervalMs`, each head not confirmed in the last half of that is confirmed with one stream-info
 * request (an idle process asks once a second per stream; a busy one never). A stalled follower therefore leaves
 * a head at most about `intervalMs` behind the stream. While the server cannot be reached at all, the heads keep
 * their last readings: the lag shown is as of then, and `/readyz` fails.
 */
export class StreamHeads {
  readonly #heads = new Map<string, FollowedStreamHead>()
  readonly #confirming = new Map<string, Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #failing = false

  constructor(
    private readonly jsm: JetStreamManager,
    heads: readonly FollowedStreamHead[],
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {
    for (const head of heads) this.#heads.set(head.stream, head)
  }

  /** Starts confirming quiet heads in the background. */
  start(): void {
    this.#timer ??= setInterval(() => void this.#confirmQuiet(), this.intervalMs).unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** The stream's last sequence as this process knows it now (no I/O). */
  read(stream: string): StreamHeadReading {
    const head = this.#heads.get(stream)
    if (head === undefined) throw new Error(`no follower of stream ${stream}`)
    return head.read()
  }

  /** Asks the server for the last sequence of every stream whose head is older than `maxAgeMs` (one request each). */
  async confirm(maxAgeMs: number): Promise<void> {
    const now = Date.now()
    await Promise.all(
      [...this.#heads.values()]
        .filter((head) => now - head.read().at >= maxAgeMs)
        .map((head) => this.#confirm(head)),
    )
  }

  async #confirmQuiet() {
    try {
      await this.confirm(this.intervalMs / 2)
      if (this.#failing) this.logger.info('reading the streams again')
      this.#failing = false
    } catch (error) {
      if (!this.#failing) this.logger.warn({ err: error }, 'cannot read the streams; lag is as last seen')
      this.#failing = true
    }
  }

  /** One request per stream at a time, however many callers ask. */
  #confirm(head: FollowedStreamHead): Promise<void> {
    let confirming = this.#confirming.get(head.stream)
    if (confirming === undefined) {
      const asked = Date.now()
      confirming = this.jsm.streams
        .info(head.stream)
        .then(({ state }) => head.advance(state.last_seq, asked))
        .finally(() => this.#confirming.delete(head.stream))
      this.#confirming.set(head.stream, confirming)
    }
    return confirming
  }
}
