import { type JetStreamClient, type JetStreamManager, StorageType } from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'

export type BucketOptions = {
  replicas: number
  /** Values per key to keep. */
  history?: number
  /** How long an entry lives, in milliseconds (0: forever). */
  ttlMs?: number
  /** Read with direct get (any replica answers) instead of from the stream leader. */
  direct?: boolean
}

const nanosPerMilli = 1_000_000

/**
 * Creates a KV bucket, or opens it and brings its limits up to these options. `Kvm.create` alone opens an
 * existing bucket as it is, so a changed TTL or history would silently not apply.
 */
export const ensureBucket = async (
  js: JetStreamClient,
  jsm: JetStreamManager,
  name: string,
  { replicas, history = 1, ttlMs = 0, direct = false }: BucketOptions,
): Promise<KV> => {
  const kv = await new Kvm(js).create(name, {
    replicas,
    history,
    ttl: ttlMs,
    storage: StorageType.File,
    allow_direct: direct,
  })
  const streamName = `KV_${name}`
  const { config } = await jsm.streams.info(streamName)
  const wanted = { num_replicas: replicas, max_msgs_per_subject: history, max_age: ttlMs * nanosPerMilli }
  if (Object.entries(wanted).some(([key, value]) => config[key as keyof typeof wanted] !== value)) {
    await jsm.streams.update(streamName, { ...config, ...wanted })
  }
  return kv
}
