import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/logger.ts'
import { traceHeaders } from '../src/observability/nats-trace-context.ts'
import { inSpan, isTracing, startTracing, tracerOf, tracesWanted } from '../src/observability/tracing.ts'

const otelVariables = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
]

/** The process's environment without any OTEL_* setting that the machine running the tests may have. */
const clearOtelVariables = () => {
  for (const name of otelVariables) vi.stubEnv(name, undefined)
}

afterEach(() => {
  vi.unstubAllEnvs()
})

/** What one span of a test logs, and the message headers it would give a publish. */
const traceOneSpan = async () => {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) })
  const seen = await inSpan(tracerOf('test'), 'some work', {}, async (span) => {
    logger.info('inside the span')
    return { recording: span.isRecording(), ids: span.spanContext(), headers: traceHeaders() }
  })
  return { ...seen, line: lines[0] }
}

describe('tracing without an endpoint', () => {
  it('registers nothing: spans are the no-op, messages get no headers, log lines no ids', async () => {
    clearOtelVariables()
    const tracing = startTracing('test-service')
    expect(tracing.exporting).toBe(false)
    expect(isTracing()).toBe(false)
    const { recording, ids, headers, line } = await traceOneSpan()
    expect(recording).toBe(false)
    expect(ids.traceId).toBe('00000000000000000000000000000000')
    expect(headers).toBeUndefined()
    expect(line).toMatchObject({ msg: 'inside the span' })
    expect(line).not.toHaveProperty('traceId')
    await tracing.shutdown()
  })

  it('is what the settings say without an endpoint, or with traces turned off', () => {
    expect(tracesWanted({})).toBe(false)
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false)
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true)
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true)
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }
    expect(tracesWanted({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBe(false)
    expect(tracesWanted({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBe(false)
  })
})

describe('tracing with an endpoint', () => {
  it('sends the spans over OTLP/HTTP to it, named by OTEL_SERVICE_NAME, with their ids in log lines and headers', async () => {
    const received: { path: string | undefined; body: string }[] = []
    const collector = createServer((request, response) => {
      let body = ''
      request.setEncoding('utf8')
      request.on('data', (chunk: string) => {
        body += chunk
      })
      request.on('end', () => {
        received.push({ path: request.url, body })
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((listening) => collector.listen(0, '127.0.0.1', listening))
    try {
      clearOtelVariables()
      const { port } = collector.address() as AddressInfo
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `http://127.0.0.1:${port}`)
      vi.stubEnv('OTEL_SERVICE_NAME', 'notes-east')
      const tracing = startTracing('test-service')
      expect(tracing.exporting).toBe(true)
      const { recording, ids, headers, line } = await traceOneSpan()
      expect(recording).toBe(true)
      expect(line).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId })
      expect(headers?.get('traceparent')).toBe(`00-${ids.traceId}-${ids.spanId}-01`)
      // Spans go in batches: shutting down sends what is buffered.
      await tracing.shutdown()
      expect(isTracing()).toBe(false)
      expect(received.map(({ path }) => path)).toEqual(['/v1/traces'])
      const sent = received[0]?.body ?? ''
      expect(sent).toContain('some work')
      expect(sent).toContain(ids.traceId)
      expect(sent).toContain('notes-east')
    } finally {
      await new Promise((closed) => collector.close(closed))
    }
  })
})
