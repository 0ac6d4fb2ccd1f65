import { ensureEventLogStreams, UserDirectory } from '@jetnotes/platform'
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { LiveHub, type LiveHubOptions } from './live/live-hub.ts'
import { ReadModels } from './read-models/read-models.ts'

/** Everything the query routes use, wired to one NATS connection. */
export type QueryContext = {
  nc: NatsConnection
  jsm: JetStreamManager
  directory: UserDirectory
  readModels: ReadModels
  hub: LiveHub
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
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, options.replicas, logger)
  const directory = new UserDirectory(js, jsm, logger)
  const readModels = new ReadModels(js, logger, { cacheBytesPerBucket: options.viewCacheBytes })
  await Promise.all([directory.start(), readModels.start()])
  const hub = new LiveHub(js, jsm, directory, () => readModels.view().notes, logger, options.live)
  await hub.start()
  return {
    nc,
    jsm,
    directory,
    readModels,
    hub,
    logger,
    consistencyTimeoutMs: options.consistencyTimeoutMs,
    listScanLimit: options.listScanLimit,
    close: () => {
      hub.stop()
      readModels.stop()
      directory.stop()
    },
  }
}
