import { headers, type MsgHdrs } from '@nats-io/transport-node'
import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api'

const setter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
}

const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => carrier?.keys() ?? [],
  get: (carrier, key) => (carrier?.has(key) ? carrier.get(key) : undefined),
}

/**
 * Message headers carrying the active span's W3C trace context (`traceparent`, and `tracestate` when there is
 * one), for a message about to be published: its consumers continue the trace. None without an active span (no
 * tracing configured, or nothing traced here): the message is published as before, without headers.
 */
export const traceHeaders = (active: Context = context.active()): MsgHdrs | undefined => {
  const span = trace.getSpan(active)
  if (span === undefined || !isSpanContextValid(span.spanContext())) return undefined
  const carrier = headers()
  propagation.inject(active, carrier, setter)
  return carrier
}

/**
 * The trace context a message was published in, from its headers (see `traceHeaders`): the parent of what a
 * consumer does with the message. The empty context for a message without one (published untraced, or by
 * something else).
 */
export const traceContextOf = (message: { headers?: MsgHdrs | undefined }): Context =>
  message.headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, message.headers, getter)
