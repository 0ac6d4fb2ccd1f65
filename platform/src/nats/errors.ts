import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'
import { ClosedConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node'
import { NatsDisconnectedError } from './connection-watch.ts'

/**
 * The one place that recognises JetStream's "wrong last sequence" (API error 10071): another write reached the
 * aggregate's subject first, so `expect.lastSubjectSequence` no longer holds.
 */
export const isWrongLastSequence = (error: unknown): boolean =>
  error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence

/**
 * The one place that recognises a NATS call that failed because no server answered: a timeout (the
 * connection is down, or the server did not reply in time), no responders (JetStream not up yet after a
 * restart), a closed connection, this process knowing it is disconnected, or JetStream saying it is unavailable (503). Whatever was asked may be asked
 * again shortly. nats.js wraps some of these ("jetstream is not enabled" caused by no responders), so the chain
 * of causes is looked at.
 */
export const isNatsUnreachable = (error: unknown): boolean => {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (
      cause instanceof NatsDisconnectedError ||
      cause instanceof TimeoutError ||
      cause instanceof NoRespondersError ||
      cause instanceof ClosedConnectionError ||
      (cause instanceof RequestError && cause.isNoResponders()) ||
      (cause instanceof JetStreamApiError && cause.status === 503)
    ) {
      return true
    }
  }
  return false
}
