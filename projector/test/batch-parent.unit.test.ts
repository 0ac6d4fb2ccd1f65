import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { batchParentOf } from '../src/batch-parent.ts'

/** The context a message was published in, as extracted from its headers. */
const publishedIn = (traceId: string, spanId: string) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true })

const requestA = 'a'.repeat(32)
const requestB = 'b'.repeat(32)

describe("a batch's writes", () => {
  it('are a child of the publish when the batch holds one trace', () => {
    const published = publishedIn(requestA, '1'.repeat(16))
    const { parent, links } = batchParentOf([published, ROOT_CONTEXT])
    expect(trace.getSpanContext(parent)?.spanId).toBe('1'.repeat(16))
    expect(links).toEqual([])
  })

  it("start their own trace, linked to each message's publish, when the batch holds several", () => {
    const { parent, links } = batchParentOf([
      publishedIn(requestA, '1'.repeat(16)),
      publishedIn(requestB, '2'.repeat(16)),
      ROOT_CONTEXT,
    ])
    expect(trace.getSpanContext(parent)).toBeUndefined()
    expect(links.map(({ context }) => [context.traceId, context.spanId])).toEqual([
      [requestA, '1'.repeat(16)],
      [requestB, '2'.repeat(16)],
    ])
  })

  it('have no parent and no links when no message was traced', () => {
    expect(batchParentOf([ROOT_CONTEXT, ROOT_CONTEXT])).toEqual({ parent: ROOT_CONTEXT, links: [] })
  })
})
