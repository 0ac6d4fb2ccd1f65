import { ServiceMetrics } from '@jetnotes/platform'
import { type ProjectionName, projectionNames } from '@jetnotes/schemas'
import type { CacheReads } from './read-models/watched-bucket.ts'

/** What the scrape reads the live figures from. */
type Observed = {
  /** Open live streams. */
  connections: () => number
  /** Where the views that reads without a Consistency-Token see stand against their stream. */
  standing: (projection: ProjectionName) => { position: number; lag: number }
}

/** The query-service's metrics (see the README's list); HTTP requests are measured by the platform. */
export const queryMetrics = (metrics = new ServiceMetrics()) => {
  const hits = metrics.counter({
    name: 'jetnotes_view_cache_hits_total',
    help: 'Reads of a read-model entry answered from the view cache (no NATS round trip), by read model',
    labelNames: ['read_model'],
  })
  const misses = metrics.counter({
    name: 'jetnotes_view_cache_misses_total',
    help: 'Reads of a read-model entry the view cache did not hold, read from the bucket, by read model',
    labelNames: ['read_model'],
  })
  const connections = metrics.gauge({
    name: 'jetnotes_live_connections',
    help: 'Live event streams (Server-Sent Events) open now',
  })
  const viewPosition = metrics.gauge({
    name: 'jetnotes_query_view_position',
    help: 'The last stream sequence the views this query-service reads (its caches) hold, by projection',
    labelNames: ['projection'],
  })
  const viewLag = metrics.gauge({
    name: 'jetnotes_query_view_lag_events',
    help: 'Events of the stream the views this query-service reads do not hold yet (its Projection-Lag header), by projection',
    labelNames: ['projection'],
  })
  return {
    registry: metrics,
    /** The counters of one read model's cache, bound once (a read only increments). */
    cacheReads: (readModel: string): CacheReads => ({
      hits: hits.labels(readModel),
      misses: misses.labels(readModel),
    }),
    liveClientsCut: metrics.counter({
      name: 'jetnotes_live_clients_cut_total',
      help: 'Live clients disconnected for being too slow: too many events queued for them (they resume from their last id)',
    }),
    /** Reads the live figures at each scrape. */
    observe: (observed: Observed) =>
      metrics.onScrape(() => {
        connections.set(observed.connections())
        for (const projection of projectionNames) {
          const { position, lag } = observed.standing(projection)
          viewPosition.set({ projection }, position)
          viewLag.set({ projection }, lag)
        }
      }),
  }
}

export type QueryMetrics = ReturnType<typeof queryMetrics>
