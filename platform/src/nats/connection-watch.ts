import type { NatsConnection } from '@nats-io/transport-node'

/** Whether a NATS connection is up at this moment. */
export type ConnectionWatch = { readonly connected: boolean }

/**
 * Follows a connection's status. While it is down, nats.js holds every request and publish until the
 * connection is back or their timeout (5 s) passes; a request handler that knows the connection is down can
 * answer 503 at once instead, and readiness can say so without waiting for a probe to time out.
 */
export const watchConnection = (nc: NatsConnection): ConnectionWatch => {
  let connected = !nc.isClosed()
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false
      else if (status.type === 'reconnect') connected = true
    }
  })()
  return {
    get connected() {
      return connected && !nc.isClosed()
    },
  }
}
