import { createLogger, startTracing, type Tracing } from '@jetnotes/platform'
import {
  createNote,
  type EventStream,
  openEventStream,
  type RunningSystem,
  registerUser,
  startSystem,
} from '@jetnotes/testing'
import { SpanKind } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The whole system in this process, every span kept in memory: what an OTLP collector would receive.
const exporter = new InMemorySpanExporter()
const logLines: Record<string, unknown>[] = []
let tracing: Tracing
let system: RunningSystem
let ann: { id: string; token: string }
const streams: EventStream[] = []

beforeAll(async () => {
  tracing = startTracing('jetnotes-test', { exporter })
  const destination = { write: (line: string) => void logLines.push(JSON.parse(line)) }
  system = await startSystem({ logger: createLogger('system', 'debug', destination) })
  ann = await registerUser(system.commands, 'Ann')
})
afterAll(async () => {
  for (const stream of streams) stream.close()
  await system?.[Symbol.asyncDispose]()
  await tracing?.shutdown()
})

const spans = () => exporter.getFinishedSpans()
const idOf = (span: ReadableSpan) => span.spanContext().spanId
const traceOf = (span: ReadableSpan) => span.spanContext().traceId
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** The server span of the request with this id (every request's span records it). */
const serverSpanOf = async (requestId: string) => {
  await expect
    .poll(() => spans().some((span) => span.attributes['jetnotes.request_id'] === requestId))
    .toBe(true)
  const span = spans().find((candidate) => candidate.attributes['jetnotes.request_id'] === requestId)
  if (span === undefined) throw new Error(`no span for request ${requestId}`)
  return span
}

/** Whether `ancestor` is `span`'s parent, or its parent's, and so on, in the spans recorded. */
const descendsFrom = (span: ReadableSpan, ancestor: ReadableSpan): boolean => {
  const byId = new Map(spans().map((candidate) => [idOf(candidate), candidate]))
  for (
    let parent = parentOf(span);
    parent !== undefined;
    parent = byId.get(parent)?.parentSpanContext?.spanId
  ) {
    if (parent === idOf(ancestor)) return true
  }
  return false
}

const subscribe = async (token: string) => {
  const stream = await openEventStream(`${system.queries.base}/events`, { authorization: `Bearer ${token}` })
  streams.push(stream)
  expect(stream.status).toBe(200)
  return stream
}

describe('one POST /notes', () => {
  it('is one trace: the HTTP span, the decide, the publish, and across NATS the folds, their writes and the SSE push', async () => {
    const stream = await subscribe(ann.token)
    const reply = await system.commands.post(
      '/notes',
      { title: 'Traced', body: 'across NATS' },
      { token: ann.token },
    )
    expect(reply.status).toBe(201)
    const requestId = reply.headers.get('x-request-id') ?? ''
    await stream.received(1)

    const http = await serverSpanOf(requestId)
    expect(http.kind).toBe(SpanKind.SERVER)
    expect(http.name).toBe('POST /notes')
    expect(http.attributes['http.response.status_code']).toBe(201)
    expect(http.instrumentationScope.name).toBe('jetnotes.http')
    const trace = traceOf(http)

    // The `notes` projection (the NOTES stream's) folds the message; the push reaches Ann's stream.
    await expect
      .poll(() =>
        spans()
          .filter((span) => traceOf(span) === trace)
          .map((span) => span.name),
      )
      .toEqual(expect.arrayContaining(['sse push', 'fold notes', 'write notes']))
    const inTrace = spans().filter((span) => traceOf(span) === trace)
    const named = (name: string) => inTrace.filter((span) => span.name === name)

    const [decide] = named('decide')
    expect(decide).toBeDefined()
    expect(decide && descendsFrom(decide, http)).toBe(true)

    const publishes = named('publish')
    expect(publishes).toHaveLength(1)
    const publish = publishes[0] as ReadableSpan
    expect(publish.kind).toBe(SpanKind.PRODUCER)
    expect(publish.instrumentationScope.name).toBe('jetnotes.command-service')
    expect(publish.attributes['jetnotes.outcome']).toBe('appended')
    expect(descendsFrom(publish, http)).toBe(true)

    // Across the NATS hop: the consumers' spans are children of the publish itself, by its span id.
    const [fold] = named('fold notes')
    expect(fold?.kind).toBe(SpanKind.CONSUMER)
    expect(fold?.instrumentationScope.name).toBe('jetnotes.projector')
    expect(fold && parentOf(fold)).toBe(idOf(publish))
    expect(fold?.attributes['jetnotes.seq']).toBe(publish.attributes['jetnotes.seq'])
    // The batch held this request's message alone: its writes are a child of the publish too.
    const [write] = named('write notes')
    expect(write && parentOf(write)).toBe(idOf(publish))
    expect(write?.attributes['jetnotes.writes']).toBeGreaterThan(0)
    const [push] = named('sse push')
    expect(push?.kind).toBe(SpanKind.CONSUMER)
    expect(push?.instrumentationScope.name).toBe('jetnotes.query-service')
    expect(push && parentOf(push)).toBe(idOf(publish))
    expect(push?.attributes['jetnotes.deliveries']).toBe(1)
  })

  it("continues the caller's traceparent, and every log line of the request carries the trace's ids", async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpan = '00f067aa0ba902b7'
    const reply = await system.commands.post(
      '/notes',
      { title: 'Logged', body: 'logged' },
      { token: ann.token, headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` } },
    )
    expect(reply.status).toBe(201)
    const requestId = reply.headers.get('x-request-id') ?? ''
    const http = await serverSpanOf(requestId)
    expect(traceOf(http)).toBe(callerTrace)
    expect(parentOf(http)).toBe(callerSpan)

    const requestLines = logLines.filter((line) => line.reqId === requestId)
    // At least Fastify's "incoming request" and "request completed".
    expect(requestLines.length).toBeGreaterThanOrEqual(2)
    for (const line of requestLines) {
      expect(line.traceId).toBe(callerTrace)
      expect(line.spanId).toEqual(expect.stringMatching(/^[0-9a-f]{16}$/))
    }
    // The projector's lines about the message carry the command's request id as its correlation id.
    await expect
      .poll(() => logLines.filter((line) => line.msg === 'folded' && line.correlationId === requestId).length)
      .toBeGreaterThanOrEqual(1)
    for (const line of logLines.filter((line) => line.msg === 'folded' && line.correlationId === requestId))
      expect(line.traceId).toBe(callerTrace)
  })
})

describe('reads', () => {
  it('get their own spans: the KV get of GET /notes/:id, the log read of a history', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'read me' })
    const options = { token: ann.token }
    await expect
      .poll(async () => (await system.queries.get(`/notes/${id}`, { token: ann.token })).status)
      .toBe(200)
    const note = await system.queries.get(`/notes/${id}`, options)
    const noteSpan = await serverSpanOf(note.headers.get('x-request-id') ?? '')
    expect(noteSpan.name).toBe('GET /notes/:id')
    const kvGet = spans().find((span) => span.name === 'kv get notes' && parentOf(span) === idOf(noteSpan))
    expect(kvGet).toBeDefined()

    const history = await system.queries.get(`/notes/${id}/history`, options)
    expect(history.status).toBe(200)
    const historySpan = await serverSpanOf(history.headers.get('x-request-id') ?? '')
    const logRead = spans().find((span) => span.name === 'read log' && parentOf(span) === idOf(historySpan))
    expect(logRead?.attributes['jetnotes.commits']).toBe(1)
  })
})
