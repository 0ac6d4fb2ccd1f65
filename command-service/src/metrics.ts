import { ServiceMetrics } from '@jetnotes/platform'
import type { StreamName } from '@jetnotes/schemas'
import type { Appended } from './event-store.ts'

/**
 * How an append to the event log ended: as `Appended` says, or refused by the server's expectation (another
 * writer was first: the command is decided again), or unconfirmed (no answer: the client is told to retry).
 */
export type AppendOutcome = Appended['outcome'] | 'wrong-last-sequence' | 'unconfirmed'

/** The command-service's metrics (see the README's list); HTTP requests are measured by the platform. */
export const commandMetrics = (metrics = new ServiceMetrics()) => {
  const appends = metrics.counter({
    name: 'jetnotes_appends_total',
    help:
      'Appends to the event log, by stream and outcome: appended; duplicate (a retry the server already had: ' +
      'nothing new); overtaken (acked, but another commit came first: 412); wrong-last-sequence (refused: another ' +
      'writer was first, the command is decided again); unconfirmed (no answer from JetStream: 503)',
    labelNames: ['stream', 'outcome'],
  })
  const appendSeconds = metrics.histogram({
    name: 'jetnotes_append_duration_seconds',
    help: 'Time one append to the event log took, from the publish to its ack (and the check after it on a replicated stream), by stream',
    labelNames: ['stream'],
  })
  return {
    registry: metrics,
    /** Records an append that started at `startedAt` (`performance.now()`). */
    appended: (stream: StreamName, outcome: AppendOutcome, startedAt: number) => {
      appends.inc({ stream, outcome })
      appendSeconds.observe({ stream }, (performance.now() - startedAt) / 1000)
    },
    conflicts: metrics.counter({
      name: 'jetnotes_command_conflicts_total',
      help: 'Commands answered 412 Precondition Failed, by route pattern: their If-Match version was stale, or another writer reached the aggregate first',
      labelNames: ['route'],
    }),
    idempotentReplays: metrics.counter({
      name: 'jetnotes_idempotent_replays_total',
      help: 'Commands answered again from their Idempotency-Key record (Idempotent-Replayed: true), appending nothing',
    }),
  }
}

export type CommandMetrics = ReturnType<typeof commandMetrics>
