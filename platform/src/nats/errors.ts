import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'
import { ClosedConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node'

/**
 * The one place that recognises JetStream's "wrong last sequence" (API error 10071): another write reached the
 * aggregate's subject first, so `expect.lastSubjectSequence` no longer holds.
 */
export const isWrongLastSequence = (error: unknown): boolean =>
  error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence

/**
 * The one place that recognises a NATS call that failed because no server answered: a timeout (the
 * connection is down, or the server did not reply in time), no responders, a closed connection. Whatever it
 * asked for may be retried shortly.
 */
export const isNatsUnreachable = (error: unknown): boolean =>
  error instanceof TimeoutError ||
  error instanceof NoRespondersError ||
  error instanceof ClosedConnectionError ||
  (error instanceof RequestError && isNatsUnreachable(error.cause))
