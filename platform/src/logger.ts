import { context, isSpanContextValid, trace } from '@opentelemetry/api'
import { type DestinationStream, type Logger, pino } from 'pino'

const redacted = '[redacted]'

/**
 * The query parameters whose values may be logged, by their exact spelling. An allow-list fails closed:
 * `access_token` may arrive as `access%5Ftoken`, `ACCESS_TOKEN`, repeated, or after a `#` (the router starts
 * the query there too), and a deny-list would have to decode each spelling exactly as the router and its query
 * parser do to catch them all. Here any spelling not listed, encoded or not, loses its value. Search text (`q`,
 * `tag`) is note content and stays out too.
 */
const loggableParams: ReadonlySet<string> = new Set(['limit', 'cursor', 'lastEventId'])

/** A name that reads as a parameter name, kept for debugging; any other (encoded, long) may hide a value. */
const plainName = /^[A-Za-z0-9_-]{1,32}$/

/**
 * Where the query starts: find-my-way splits at the first `?` or `#` (and at `;` when configured to). Cutting
 * at the first of all three can only redact more.
 */
const queryStart = /[?#;]/

const redactParam = (param: string) => {
  const equals = param.indexOf('=')
  const name = equals === -1 ? param : param.slice(0, equals)
  if (loggableParams.has(name)) return param
  return plainName.test(name) ? `${name}=${redacted}` : redacted
}

/**
 * A request URL fit for a log line: the path, and of the query the values of the loggable parameters and the
 * names of the others that are plain names (`/events?ACCESS_TOKEN=[redacted]&[redacted]&limit=5`).
 */
export const redactUrl = (url: string): string => {
  const start = url.search(queryStart)
  if (start === -1) return url
  return `${url.slice(0, start + 1)}${url
    .slice(start + 1)
    .split('&')
    .map(redactParam)
    .join('&')}`
}

/** Headers that carry credentials or secrets of the caller's: never logged, whatever their case. */
const secretHeaders: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'idempotency-key',
])

/** A header map fit for a log line: the values of secret headers, in any case, replaced. */
export const redactHeaders = (headers: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      secretHeaders.has(name.toLowerCase()) ? redacted : value,
    ]),
  )

/**
 * An error fit for a log line. Node's HTTP parser errors carry the raw bytes of the request (`rawPacket`, with
 * its Authorization header): left out. Fastify's own errors about a URL (`FST_ERR_BAD_URL`, ...) quote it whole,
 * query and all: their message and stack get the URL's redaction.
 */
const serializeError = (error: Error): Record<string, unknown> => {
  const { rawPacket: _rawPacket, ...serialized } = pino.stdSerializers.err(error) as Record<string, unknown>
  if (typeof serialized.headers === 'object' && serialized.headers !== null)
    serialized.headers = redactHeaders(serialized.headers as Record<string, unknown>)
  if (typeof serialized.code === 'string' && serialized.code.startsWith('FST_ERR_')) {
    for (const field of ['message', 'stack'] as const) {
      const text = serialized[field]
      if (typeof text === 'string') serialized[field] = redactUrl(text)
    }
  }
  return serialized
}

/**
 * The active span's ids (`traceId`, `spanId`) for a log line, so a line found in the logs leads to its trace and
 * back. Nothing while no span is active (no tracing configured: the API's context is then always empty). A new
 * object each time: pino merges the line's fields into it.
 */
const activeSpanIds = (): { traceId?: string; spanId?: string } => {
  const span = trace.getSpan(context.active())
  if (span === undefined) return {}
  const ids = span.spanContext()
  return isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : {}
}

type LoggedRequest = { method?: string; url?: string; id?: string }

/** The fields whose serializers say what is logged of them (`req` and `res` never their headers). */
const serializedFields: ReadonlySet<string> = new Set(['req', 'res', 'err', 'headers'])

/**
 * A log line whose fields' own `headers` lose the values of secret headers, in any case; the line and its
 * fields are copied, never changed. It replaces pino's `redact` with wildcard paths (`*.headers["..."]`), which
 * walked every field of every line, a request's too: half of the logging's cost on the hot path (the
 * command-service's profile: pino 7% of its CPU, 3.7% in redaction).
 */
const withNestedHeadersRedacted = (line: Record<string, unknown>): Record<string, unknown> => {
  let redactedLine: Record<string, unknown> | undefined
  for (const field in line) {
    if (serializedFields.has(field)) continue
    const value = line[field]
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue
    const headers = (value as { headers?: unknown }).headers
    if (typeof headers !== 'object' || headers === null) continue
    redactedLine ??= { ...line }
    redactedLine[field] = { ...value, headers: redactHeaders(headers as Record<string, unknown>) }
  }
  return redactedLine ?? line
}

/**
 * The one logger configuration: JSON lines, no credentials. A request is logged as its method, its id and its
 * URL without secrets, never with its headers. A line written while a trace span is active carries its ids
 * (a request's lines carry its `reqId` too, from Fastify). `destination` is for tests that read what was logged.
 */
export const createLogger = (service: string, level: string, destination?: DestinationStream): Logger =>
  pino(
    {
      level,
      base: { service },
      mixin: activeSpanIds,
      // Headers logged one level down (`{ upstream: { headers } }`), as a second line of defence: the `headers`
      // serializer covers them at the top.
      formatters: { log: withNestedHeadersRedacted },
      serializers: {
        req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ''), id: req.id }),
        headers: (headers: unknown) =>
          typeof headers === 'object' && headers !== null
            ? redactHeaders(headers as Record<string, unknown>)
            : headers,
        err: serializeError,
      },
    },
    destination,
  )
