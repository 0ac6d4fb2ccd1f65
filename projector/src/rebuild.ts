import { bucketName } from '@jetnotes/schemas'
import { bulkWrite } from './bulk-write.ts'
import { LeaseLost } from './lease.ts'
import { markPosition } from './position-marker.ts'
import type { Projection } from './projections/projection.ts'
import type { ProjectorDeps } from './projector-deps.ts'
import type { RebuildProgress } from './rebuild-progress.ts'
import { foldMessage, park, parkWrite } from './runner.ts'
import { type FailedWrite, ViewStore } from './view-store.ts'

export type RebuildResult = {
  from: number
  to: number
  events: number
  entries: number
  parked: number
  seconds: number
}

export type RebuildOptions = {
  /** How long the old generation stays after the switch, so queries already reading it can finish. */
  graceMs?: number
  onProgress?: (progress: RebuildProgress) => void
  signal?: AbortSignal
}

/**
 * Rebuilds a projection from the whole log, without downtime:
 * 1. replay the stream with an ordered consumer (no acks, no reads: the new buckets start empty) into memory;
 * 2. write the read models into a new generation of buckets;
 * 3. create that generation's durable consumer right after the last replayed event;
 * 4. switch the pointer: the query-service reads the new generation from its next request, and the projector
 *    carries it on from the consumer (nothing published meanwhile is missed);
 * 5. after a grace period, remove the old generation.
 * The old generation keeps serving queries until step 4, so no query sees a half-built or mixed state.
 */
export const rebuildProjection = async (
  deps: ProjectorDeps,
  projection: Projection,
  { graceMs = 5_000, onProgress, signal }: RebuildOptions = {},
): Promise<RebuildResult> => {
  const { nc, js, jsm, generations, logger } = deps
  const started = performance.now()
  const from = await generations.ensureActive(projection.name)
  const to = from + 1
  await generations.drop(projection.name, to)
  try {
    const views = new ViewStore(await generations.createBuckets(projection.name, to), { fresh: true })
    let lastSeq = 0
    let events = 0
    let parked = 0
    const { state } = await jsm.streams.info(projection.stream)
    if (state.messages > 0) {
      const messages = await (await js.consumers.get(projection.stream)).consume({ max_messages: 2048 })
      signal?.addEventListener('abort', () => messages.stop(), { once: true })
      for await (const message of messages) {
        // Fresh buckets: nothing was folded into them before.
        const poison = await foldMessage(projection, views, message, { first: true })
        if (poison !== undefined) {
          parked++
          await park(generations, logger, poison)
        }
        events++
        lastSeq = message.seq
        if (events % 256 === 0 || message.info.pending === 0)
          onProgress?.({ phase: 'replay', seq: message.seq, lastSeq: message.seq + message.info.pending })
        if (message.info.pending === 0) break
      }
      messages.stop()
    }
    signal?.throwIfAborted()

    const entries = views.pendingWrites
    let written = 0
    const onWritten = (count: number) => {
      written += count
      onProgress?.({ phase: 'write', written, total: entries })
    }
    const bulk = [...views.pending()].map(({ readModel, key, value }) => ({
      bucket: bucketName(readModel, to),
      key,
      value,
    }))
    let failed: FailedWrite[] = []
    if (await bulkWrite(nc, jsm, bulk, { onWritten })) views.clearPending()
    else {
      logger.warn(
        { projection: projection.name },
        'bulk write fell short; writing again with acknowledgements',
      )
      written = 0
      failed = await views.flush({ concurrency: 512, onWritten })
    }
    // The same policy as the running projector: an entry that cannot be written is parked and reported.
    for (const failure of failed) {
      parked++
      await parkWrite(generations, logger, {
        kind: 'write',
        projection: projection.name,
        readModel: failure.readModel,
        key: failure.key,
        seq: lastSeq,
        reason: failure.reason,
        at: new Date().toISOString(),
      })
    }
    await markPosition(generations, projection.name, to, lastSeq)
    signal?.throwIfAborted()

    await generations.createConsumer(projection.name, to, lastSeq + 1)
    await generations.setPosition(projection.name, to, {
      seq: lastSeq,
      streamSeq: lastSeq,
      at: new Date().toISOString(),
    })
    onProgress?.({ phase: 'switch', from, to })
    await generations.activate(projection.name, from, to)
    logger.info({ projection: projection.name, from, to, events }, 'switched to the rebuilt generation')

    onProgress?.({ phase: 'cleanup', generation: from })
    await new Promise((resolve) => setTimeout(resolve, graceMs))
    await generations.drop(projection.name, from)
    return { from, to, events, entries, parked, seconds: (performance.now() - started) / 1000 }
  } catch (error) {
    // Abandoned (Ctrl-C) or failed: the new generation goes, unless it went live. Cut short because this
    // process lost the projection's lease: the generation is the new holder's to build, so it stays.
    const leaseLost = signal?.aborted === true && signal.reason instanceof LeaseLost
    if (!leaseLost && (await generations.active(projection.name)) !== to)
      await generations.drop(projection.name, to).catch(() => {})
    throw error
  }
}
