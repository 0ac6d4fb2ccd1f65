import {
  type ConnectionWatch,
  ensureEventLogStreams,
  UserDirectory,
  watchConnection,
} from '@jetnotes/platform'
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { LiveHub, type LiveHubOptions } from './live/live-hub.ts'
import { type QueryMetrics, queryMetrics } from './metrics.ts'
import { ParkedEntries } from './read-models/parked-entries.ts'
import { ReadModels } from './read-models/read-models.ts'
import { StreamHeads } from './read-models/stream-heads.ts'

/** Everything the query routes use, wired to one NATS connection. */
export type QueryContext = {
  nc: NatsConnection
  /** Whether `nc` is connected now (readiness; reads from the caches go on while it is not). */
  connection: ConnectionWatch
  jsm: JetStreamManager
  directory: UserDirectory
  readModels: ReadModels
  /** What the projector parked (events that failed validation, writes that kept failing), for /readyz. */
  parked: ParkedEntries
  /** The end of each stream the views fold, as this process follows it. */
  heads: StreamHeads
  hub: LiveHub
  /** What the query-service counts, served at `/metrics`. */
  metrics: QueryMetrics
  logger: Logger
  /** Longest a read with a Consistency-Token waits for the views (ms). */
  consistencyTimeoutMs: number
  /** Most summaries one list request looks at (filters stop there, with a cursor to go on). */
  listScanLimit: number
  close: () => void
}

export const openQueryContext = async (
  nc: NatsConnection,
  options: {
    replicas: number
    consistencyTimeoutMs: number
    listScanLimit: number
    /** Memory for the watched cache of each read-model bucket (0: none). */
    viewCacheBytes: number
    live: LiveHubOptions
  },
  logger: Logger,
): Promise<QueryContext> => {
  const connection = watchConnection(nc)
  const metrics = queryMetrics()
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, options.replicas, logger)
  const directory = new UserDirectory(js, jsm, logger, connection)
  // The hub reads the views only once started, after the read models are.
  const hub: LiveHub = new LiveHub(
    js,
    jsm,
    directory,
    () => readModels.view().notes,
    logger,
    options.live,
    connection,
  )
  // The lag of the views is measured against the streams as the hub and the directory follow them.
  const heads = new StreamHeads(jsm, [hub.head, directory.head], logger)
  const readModels: ReadModels = new ReadModels(js, heads, logger, {
    cacheBytesPerBucket: options.viewCacheBytes,
    connection,
    cacheReads: metrics.cacheReads,
  })
  metrics.observe({
    connections: () => hub.connections,
    standing: (projection) => readModels.standing(projection),
  })
  await Promise.all([directory.start(), readModels.start()])
  const parked = new ParkedEntries(js, logger)
  parked.start()
  await hub.start()
  heads.start()
  return {
    nc,
    connection,
    jsm,
    directory,
    readModels,
    parked,
    heads,
    hub,
    metrics,
    logger,
    consistencyTimeoutMs: options.consistencyTimeoutMs,
    listScanLimit: options.listScanLimit,
    close: () => {
      heads.stop()
      parked.stop()
      hub.stop()
      readModels.stop()
      directory.stop()
    },
  }
}
