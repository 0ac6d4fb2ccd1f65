import type { NatsConnection } from '@nats-io/transport-node'

/** What a process throws instead of asking NATS while its connection is down (answered 503, see `isNatsUnreachable`). */
export class NatsDisconnectedError extends Error {
  constructor() {
    super('not connected to NATS')
  }
}

/** Whether a NATS connection is up at this moment, and who wants to hear when it is back. */
export type ConnectionWatch = {
  readonly connected: boolean
  /** Calls `listener` each time the connection is re-established; returns the function that stops that. */
  onReconnect: (listener: () => void) => () => void
}

/**
 * Follows a connection's status. While it is down, nats.js holds every request and publish until the
 * connection is back or their timeout (5 s) passes; a request handler that knows the connection is down can
 * answer 503 at once instead, and readiness can say so without waiting for a probe to time out.
 */
export const watchConnection = (nc: NatsConnection): ConnectionWatch => {
  let connected = !nc.isClosed()
  const listeners = new Set<() => void>()
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false
      else if (status.type === 'reconnect') {
        connected = true
        for (const listener of listeners) listener()
      }
    }
  })()
  return {
    get connected() {
      return connected && !nc.isClosed()
    },
    onReconnect: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
