import type { JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'

/** An entry for a fresh bucket: which bucket, which key, what value. */
export type BulkEntry = { bucket: string; key: string; value: unknown }

const chunk = 10_000

/**
 * Writes entries into fresh, empty buckets (a rebuild's) as fast as the server stores them: a KV put is a
 * publish to `$KV.<bucket>.<key>`, so they are published without waiting for each acknowledgement, in chunks
 * (a PING after each bounds what is buffered), and then each bucket's stream is checked to hold exactly as
 * many messages as were written to it (every key once). Returns false when a count falls short within
 * `settleMs`: the caller then writes them again with acknowledged puts. Nothing here is live until the
 * rebuild switches the pointer, so a failed attempt costs time, never correctness.
 */
export const bulkWrite = async (
  nc: NatsConnection,
  jsm: JetStreamManager,
  entries: readonly BulkEntry[],
  { onWritten, settleMs = 10_000 }: { onWritten?: (count: number) => void; settleMs?: number } = {},
): Promise<boolean> => {
  const perBucket = new Map<string, number>()
  for (let start = 0; start < entries.length; start += chunk) {
    const part = entries.slice(start, start + chunk)
    for (const { bucket, key, value } of part) {
      nc.publish(`$KV.${bucket}.${key}`, JSON.stringify(value))
      perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1)
    }
    await nc.flush()
    onWritten?.(part.length)
  }
  const deadline = performance.now() + settleMs
  for (const [bucket, count] of perBucket) {
    while ((await jsm.streams.info(`KV_${bucket}`)).state.messages < count) {
      if (performance.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return true
}
