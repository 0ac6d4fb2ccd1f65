import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'

/**
 * The one place that recognises JetStream's "wrong last sequence" (API error 10071): another write reached the
 * aggregate's subject first, so `expect.lastSubjectSequence` no longer holds.
 */
export const isWrongLastSequence = (error: unknown): boolean =>
  error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence
