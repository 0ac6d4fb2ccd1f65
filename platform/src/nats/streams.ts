import { streams } from '@jetnotes/schemas'
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream'
import type { Logger } from 'pino'

const twoMinutesInNanos = 2 * 60 * 1_000_000_000

/**
 * The configuration of an event-log stream. The log is the audit record and the source of truth, so messages
 * can never be deleted or purged; nothing expires. The duplicate window catches quick retries at the server;
 * longer-lived idempotency (24 h) is kept by the command-service.
 */
const eventLogConfig = (
  stream: (typeof streams)[keyof typeof streams],
  replicas: number,
): Partial<StreamConfig> & { name: string } => ({
  name: stream.name,
  subjects: [...stream.subjects],
  description: stream.description,
  storage: StorageType.File,
  retention: RetentionPolicy.Limits,
  discard: DiscardPolicy.New,
  max_msgs: -1,
  max_bytes: -1,
  max_age: 0,
  max_msgs_per_subject: -1,
  num_replicas: replicas,
  duplicate_window: twoMinutesInNanos,
  allow_direct: true,
  deny_delete: true,
  deny_purge: true,
})

/** Creates the USERS and NOTES streams, or brings an existing one up to this configuration. Idempotent. */
export const ensureEventLogStreams = async (jsm: JetStreamManager, replicas: number, logger: Logger) => {
  for (const stream of Object.values(streams)) {
    const config = eventLogConfig(stream, replicas)
    try {
      const info = await jsm.streams.info(stream.name)
      if (differs(info.config, config)) {
        await jsm.streams.update(stream.name, config)
        logger.info({ stream: stream.name }, 'stream configuration updated')
      }
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound))
        throw error
      await jsm.streams.add(config)
      logger.info({ stream: stream.name }, 'stream created')
    }
  }
}

const differs = (current: Partial<StreamConfig>, wanted: Partial<StreamConfig>) =>
  Object.entries(wanted).some(
    ([key, value]) => JSON.stringify(current[key as keyof StreamConfig]) !== JSON.stringify(value),
  )
