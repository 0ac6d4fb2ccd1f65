import { type ConsumerMessages, DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import type { ConnectionWatch } from './connection-watch.ts'
import { isNatsUnreachable } from './errors.ts'

export type FollowStreamOptions = {
  /** The first stream sequence to deliver. */
  from: number
  /**
   * Applies one message; the next one waits for it. A failure because NATS is unreachable is retried (the same
   * message, shortly); any other ends the following (`ended` rejects).
   */
  apply: (message: JsMsg) => Promise<void> | void
  /** Where reconnects are heard: after each, the follower starts over right after the last message applied. */
  connection?: ConnectionWatch
  logger: Logger
}

export type StreamFollower = {
  /** Settles when the follower stops: resolves after `stop()`, rejects with the error `apply` threw. */
  ended: Promise<void>
  stop: () => void
}

/** The wait before asking again for a consumer the server could not give. */
const retryMs = 500

/** Raised around an error of `apply`, so it ends the follower instead of starting a new consumer. */
class ApplyFailed extends Error {}

const pause = () => new Promise((resolve) => setTimeout(resolve, retryMs))

/**
 * Follows a stream in order with an ordered consumer, one message at a time, from `from` on, for as long as the
 * process runs: a process's live view of the log (the user directory, the live hub). After each reconnect it
 * drops its consumer and makes a new one that starts right after the last message applied, so nothing is
 * missed or applied twice. It does not rely on the consumer resuming by itself: with nats.js 3.4 an ordered
 * consumer that was mid-batch when nats-server restarted stopped pulling for good (the live hub fell silent in
 * the chaos test of `npm start`). A consumer that cannot be made (no server yet) is asked for again.
 */
export const followStream = (
  js: JetStreamClient,
  stream: string,
  { from, apply, connection, logger }: FollowStreamOptions,
): StreamFollower => {
  let next = from
  let stopped = false
  let messages: ConsumerMessages | undefined
  let startingOver = false
  const startOver = () => {
    startingOver = true
    messages?.stop()
  }
  const applyPatiently = async (message: JsMsg) => {
    for (;;) {
      try {
        return await apply(message)
      } catch (error) {
        if (!isNatsUnreachable(error)) throw new ApplyFailed(`${stream} ${message.seq}`, { cause: error })
        if (stopped) return
        await pause()
      }
    }
  }
  const stopListening = connection?.onReconnect(startOver)
  const ended = (async () => {
    while (!stopped) {
      startingOver = false
      try {
        const consumer = await js.consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: next,
        })
        if (stopped) return
        messages = await consumer.consume()
        for await (const message of messages) {
          await applyPatiently(message)
          if (stopped) return
          next = message.seq + 1
        }
        // Ended without being asked to: a new consumer, but not in a tight loop.
        if (!startingOver && !stopped) await pause()
      } catch (error) {
        if (error instanceof ApplyFailed) throw error.cause
        logger.warn({ err: error, stream, from: next }, 'following the stream again shortly')
        await pause()
      }
    }
  })().finally(() => stopListening?.())
  return {
    ended,
    stop: () => {
      stopped = true
      messages?.stop()
    },
  }
}
