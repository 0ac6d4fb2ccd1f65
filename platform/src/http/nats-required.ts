import { type ConnectionWatch, NatsDisconnectedError } from '../nats/connection-watch.ts'

/**
 * An onRequest hook for requests that cannot be answered without NATS: while the connection is down they are
 * answered 503 with Retry-After at once, instead of after the 5 s a NATS call would wait. Nothing is published
 * meanwhile, so no write held by the client library lands after its client was told it failed.
 */
export const natsRequired = (connection: ConnectionWatch) => async () => {
  if (!connection.connected) throw new NatsDisconnectedError()
}
