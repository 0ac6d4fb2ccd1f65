import { type Context, isSpanContextValid, type Link, ROOT_CONTEXT, trace } from '@opentelemetry/api'

/**
 * Where the span of a batch's writes goes, given the trace context each of its messages was published in: under
 * the publish when the messages are all of one trace (a message alone in its batch, the usual case when idle);
 * when they are of several, in a trace of its own with a link to each message's publish, as OpenTelemetry advises
 * for batches (a span has one parent, and these writes serve every request of the batch). Messages published
 * without a trace add nothing.
 */
export const batchParentOf = (published: readonly Context[]): { parent: Context; links: Link[] } => {
  const traced = published.flatMap((context) => {
    const span = trace.getSpan(context)
    return span !== undefined && isSpanContextValid(span.spanContext())
      ? [{ context, ids: span.spanContext() }]
      : []
  })
  const first = traced[0]
  if (first === undefined) return { parent: ROOT_CONTEXT, links: [] }
  if (traced.every(({ ids }) => ids.traceId === first.ids.traceId))
    return { parent: first.context, links: [] }
  return { parent: ROOT_CONTEXT, links: traced.map(({ ids }) => ({ context: ids })) }
}
