import { ensureEventLogStreams, UserDirectory } from '@jetnotes/platform'
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { ReadModels } from './read-models/read-models.ts'

/** Everything the query routes use, wired to one NATS connection. */
export type QueryContext = {
  nc: NatsConnection
  jsm: JetStreamManager
  directory: UserDirectory
  readModels: ReadModels
  logger: Logger
  /** Longest a read with a Consistency-Token waits for the views (ms). */
  consistencyTimeoutMs: number
  close: () => void
}

export const openQueryContext = async (
  nc: NatsConnection,
  options: { replicas: number; consistencyTimeoutMs: number },
  logger: Logger,
): Promise<QueryContext> => {
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, options.replicas, logger)
  const directory = new UserDirectory(js, jsm, logger)
  const readModels = new ReadModels(js, logger)
  await Promise.all([directory.start(), readModels.start()])
  return {
    nc,
    jsm,
    directory,
    readModels,
    logger,
    consistencyTimeoutMs: options.consistencyTimeoutMs,
    close: () => {
      readModels.stop()
      directory.stop()
    },
  }
}
