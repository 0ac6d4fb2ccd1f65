import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'

export type Tracing = {
  /** Whether spans are recorded and sent somewhere (false: the API's no-op tracer, nothing is exported). */
  readonly exporting: boolean
  /** Sends what is still buffered, then puts the API back to its no-op state. */
  shutdown: () => Promise<void>
}

export type TracingOptions = {
  /** Where spans go instead of OTLP, each as soon as it ends (tests pass sdk-trace-base's InMemorySpanExporter). */
  exporter?: SpanExporter
}

let exporting = false

/** Whether a tracer provider of this module records spans: the HTTP server skips its per-request work when not. */
export const isTracing = (): boolean => exporting

const setting = (env: NodeJS.ProcessEnv, name: string) => {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/**
 * Whether the OTEL_* settings ask for traces: an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` to which `/v1/traces` is added), and neither `OTEL_SDK_DISABLED=true` nor
 * `OTEL_TRACES_EXPORTER=none` turns them off. No endpoint means no traces: the SDK's own default
 * (localhost:4318) would have every process send to a collector that is usually not there.
 */
export const tracesWanted = (env: NodeJS.ProcessEnv = process.env): boolean =>
  (setting(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? setting(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')) !==
    undefined &&
  setting(env, 'OTEL_SDK_DISABLED')?.toLowerCase() !== 'true' &&
  setting(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase() !== 'none'

/**
 * The one place tracing is set up, once per process, before the service starts, from the process's environment
 * (as the SDK reads it). With an endpoint configured (see `tracesWanted`) spans go over OTLP/HTTP in batches; the SDK reads the rest of the standard variables itself
 * (`OTEL_TRACES_SAMPLER` and `_ARG`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*`, span limits). The resource is
 * `service.name` = `service`, unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` say otherwise. Without
 * an endpoint nothing is registered: every span below is the API's no-op (no ids, no allocation of records,
 * no headers added to messages).
 */
export const startTracing = (service: string, { exporter }: TracingOptions = {}): Tracing => {
  if (exporter === undefined && !tracesWanted()) return { exporting: false, shutdown: async () => {} }
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }).merge(
    detectResources({ detectors: [envDetector] }),
  )
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      exporter === undefined
        ? new BatchSpanProcessor(new OTLPTraceExporter())
        : new SimpleSpanProcessor(exporter),
    ],
  })
  // W3C trace context and baggage, and the async-hooks context manager that carries the active span.
  provider.register()
  exporting = true
  return {
    exporting: true,
    shutdown: async () => {
      await provider.shutdown()
      exporting = false
      trace.disable()
      context.disable()
      propagation.disable()
    },
  }
}

/** The tracer of one part of jetnotes (`http`, `command-service`, `projector`, `query-service`). */
export const tracerOf = (component: string): Tracer => trace.getTracer(`jetnotes.${component}`)

const failed = (span: Span, error: unknown) => {
  span.recordException(error instanceof Error ? error : String(error))
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  })
}

/** The span work is given while nothing is traced: records nothing, as the API's no-op spans. */
const notRecording: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT)

export type InSpanOptions = SpanOptions & {
  /** The span's parent (default: the active span): a context extracted from a message's headers. */
  parent?: Context
}

/**
 * Runs `work` in a new span, active for everything `work` does (log lines carry its ids, publishes carry it in
 * their headers); an error thrown marks the span as failed and is thrown on. The span ends when `work` settles.
 */
export const inSpan = <T>(
  tracer: Tracer,
  name: string,
  { parent, ...options }: InSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> =>
  // Not tracing: the work runs as it is. The API's no-op would still make a span and a context per call, and an
  // async wrapper: 2% of a read's CPU in the query-service's profile (`--only read --profile`).
  !exporting
    ? work(notRecording)
    : tracer.startActiveSpan(name, options, parent ?? context.active(), async (span) => {
        try {
          return await work(span)
        } catch (error) {
          failed(span, error)
          throw error
        } finally {
          span.end()
        }
      })

/** `inSpan` for synchronous work (a decision). */
export const inSpanSync = <T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  work: (span: Span) => T,
): T =>
  !exporting
    ? work(notRecording)
    : tracer.startActiveSpan(name, { attributes }, (span) => {
        try {
          return work(span)
        } catch (error) {
          failed(span, error)
          throw error
        } finally {
          span.end()
        }
      })
