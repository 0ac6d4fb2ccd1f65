import { ServiceMetrics } from '@jetnotes/platform'
import type { ProjectionName } from '@jetnotes/schemas'
import type { RebuildProgress } from './rebuild-progress.ts'
import type { ProjectionStatus } from './status.ts'

/** The projector's metrics (see the README's list); HTTP requests are measured by the platform. */
export const projectorMetrics = (metrics = new ServiceMetrics()) => {
  const folded = metrics.counter({
    name: 'jetnotes_projector_events_folded_total',
    help: 'Messages of the event log this process folded into the read models (a redelivered one counts again), by projection',
    labelNames: ['projection'],
  })
  const batchSeconds = metrics.histogram({
    name: 'jetnotes_projector_batch_duration_seconds',
    help: 'Time one batch took here, from its fold to its acks and position, by projection',
    labelNames: ['projection'],
  })
  const held = metrics.gauge({
    name: 'jetnotes_projection_held',
    help: 'Whether this process folds the projection now (1: it holds the lease and its consumer runs; 0: it stands by)',
    labelNames: ['projection'],
  })
  const upgrade = metrics.gauge({
    name: 'jetnotes_projection_upgrade_progress_ratio',
    help: 'How far this process is with an upgrade rebuild of the projection (the replay is the first half, the writes the second; 1: switched)',
    labelNames: ['projection'],
  })
  /** Figures of the projection itself, read from NATS at each scrape: every projector reports the same. */
  const standing = {
    position: metrics.gauge({
      name: 'jetnotes_projection_position',
      help: 'The last stream sequence the live generation of the projection holds (every event up to it is in the read models)',
      labelNames: ['projection'],
    }),
    streamSeq: metrics.gauge({
      name: 'jetnotes_projection_stream_last_seq',
      help: "The last sequence of the projection's stream",
      labelNames: ['projection'],
    }),
    lag: metrics.gauge({
      name: 'jetnotes_projection_lag_events',
      help: 'Events of the stream the projection does not hold yet (stream last sequence minus position)',
      labelNames: ['projection'],
    }),
    lagSeconds: metrics.gauge({
      name: 'jetnotes_projection_lag_seconds',
      help: 'Age of the oldest event the projection does not hold yet (0 when it holds them all)',
      labelNames: ['projection'],
    }),
    consumerPending: metrics.gauge({
      name: 'jetnotes_projection_consumer_pending',
      help: "Messages the projection's durable consumer has not delivered yet",
      labelNames: ['projection'],
    }),
    ackPending: metrics.gauge({
      name: 'jetnotes_projection_consumer_ack_pending',
      help: "Messages the projection's durable consumer delivered that are not acknowledged yet",
      labelNames: ['projection'],
    }),
    redelivered: metrics.gauge({
      name: 'jetnotes_projection_consumer_redelivered',
      help: "Messages the projection's durable consumer delivered more than once and that are not acknowledged yet",
      labelNames: ['projection'],
    }),
    parkedEvents: metrics.gauge({
      name: 'jetnotes_projection_parked_events',
      help: 'Events parked because they failed validation (skipped by the fold; `npm run projections` lists them)',
      labelNames: ['projection'],
    }),
    parkedWrites: metrics.gauge({
      name: 'jetnotes_projection_parked_writes',
      help: 'Read-model entries whose writes kept failing (too large, refused): they are behind the log',
      labelNames: ['projection'],
    }),
  }
  return {
    registry: metrics,
    /** Records a batch of `count` messages that started at `startedAt` (`performance.now()`). */
    batch: (projection: ProjectionName, count: number, startedAt: number) => {
      folded.inc({ projection }, count)
      batchSeconds.observe({ projection }, (performance.now() - startedAt) / 1000)
    },
    parked: metrics.counter({
      name: 'jetnotes_projector_parked_total',
      help: 'Events (kind="event") and read-model writes (kind="write") this process parked, by projection',
      labelNames: ['projection', 'kind'],
    }),
    upgraded: (projection: ProjectionName, progress: RebuildProgress) => {
      upgrade.set({ projection }, upgradeRatio(progress))
    },
    held: (projection: ProjectionName, folding: boolean) => held.set({ projection }, folding ? 1 : 0),
    /** Records where each projection stands (`projectionStatus`). */
    stand: (statuses: readonly ProjectionStatus[]) => {
      for (const status of statuses) {
        const labels = { projection: status.projection }
        standing.position.set(labels, status.position)
        standing.streamSeq.set(labels, status.streamSeq)
        standing.lag.set(labels, status.lag)
        standing.lagSeconds.set(labels, status.lagSeconds)
        standing.consumerPending.set(labels, status.consumerPending ?? 0)
        standing.ackPending.set(labels, status.ackPending ?? 0)
        standing.redelivered.set(labels, status.redelivered ?? 0)
        standing.parkedEvents.set(labels, status.parked)
        standing.parkedWrites.set(labels, status.parkedWrites)
      }
    },
  }
}

export type ProjectorMetrics = ReturnType<typeof projectorMetrics>

/** An upgrade rebuild's progress as one ratio: the replay is the first half, the writes the second. */
export const upgradeRatio = (progress: RebuildProgress): number => {
  switch (progress.phase) {
    case 'replay':
      return progress.lastSeq === 0 ? 0.5 : (0.5 * progress.seq) / progress.lastSeq
    case 'write':
      return progress.total === 0 ? 1 : 0.5 + (0.5 * progress.written) / progress.total
    case 'switch':
    case 'cleanup':
      return 1
    default: {
      const unknown: never = progress
      return unknown
    }
  }
}
