import type { NatsConnection } from '@nats-io/transport-node'

/** The part of nats.js's protocol handler (`NatsConnectionImpl.protocol`, 3.x) whose timing this changes. */
type ProtocolHandler = {
  flushPending: () => void
  outbound: { size: () => number }
  pendingLimit: number
}

const protocolOf = (nc: NatsConnection): ProtocolHandler | undefined => {
  const protocol = (nc as unknown as { protocol?: Partial<ProtocolHandler> }).protocol
  return typeof protocol?.flushPending === 'function' &&
    typeof protocol.outbound?.size === 'function' &&
    typeof protocol.pendingLimit === 'number'
    ? (protocol as ProtocolHandler)
    : undefined
}

/**
 * Makes a connection write what it has to send once per turn of the event loop, not once per task. nats.js
 * writes its buffer at the end of the task that filled it (a microtask); a service answers each HTTP request in
 * a task of its own, so under load every publish was one socket write: 17% of the command-service's CPU, and
 * as many reads for nats-server (`npm run bench -- --only write-alone --profile`). Deferred to `setImmediate`,
 * the publishes of all the requests read in one turn go out in one write; a request waits for the rest of
 * that turn at most. A buffer past nats.js's own limit is still written at once. With another version of
 * nats.js, whose internals differ, the connection writes as nats.js does.
 */
export const coalesceWrites = (nc: NatsConnection): void => {
  const protocol = protocolOf(nc)
  if (protocol === undefined) return
  const writeNow = protocol.flushPending.bind(protocol)
  let scheduled = false
  protocol.flushPending = () => {
    if (protocol.outbound.size() >= protocol.pendingLimit) return writeNow()
    if (scheduled) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      writeNow()
    })
  }
}
