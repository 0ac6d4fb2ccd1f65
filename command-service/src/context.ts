import {
  type ConnectionWatch,
  ensureBucket,
  ensureEventLogStreams,
  UserDirectory,
  watchConnection,
} from '@jetnotes/platform'
import { commandBuckets } from '@jetnotes/schemas'
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { KeyedLock } from './commands/keyed-lock.ts'
import { EventStore } from './event-store.ts'
import { IdempotencyStore } from './idempotency/idempotency-store.ts'
import { Idempotency } from './idempotency/run-idempotently.ts'
import { type CommandMetrics, commandMetrics } from './metrics.ts'
import { NoteRepository } from './notes/note-repository.ts'
import { Credentials } from './users/credentials.ts'
import { EmailClaims } from './users/email-claims.ts'
import { type SignInLimitSettings, SignInLimits } from './users/sign-in-limits.ts'

/** No sign-in limits: for tests that sign in at full speed. */
const noSignInLimits: SignInLimitSettings = { perEmail: 0, perAddress: 0, windowMs: 1_000 }

/** Everything the command routes use, wired to one NATS connection. */
export type CommandContext = {
  nc: NatsConnection
  /** Whether `nc` is connected now: commands are answered 503 at once while it is not. */
  connection: ConnectionWatch
  jsm: JetStreamManager
  store: EventStore
  locks: KeyedLock
  directory: UserDirectory
  notes: NoteRepository
  idempotency: Idempotency
  emailClaims: EmailClaims
  credentials: Credentials
  signInLimits: SignInLimits
  /** What the command-service counts, served at `/metrics`. */
  metrics: CommandMetrics
  close: () => void
}

const dayInMs = 24 * 60 * 60 * 1000

/**
 * Creates or updates the streams and the command side's buckets (idempotent), loads the user directory, and
 * wires the command side together.
 */
export const openCommandContext = async (
  nc: NatsConnection,
  { replicas, signInLimits = noSignInLimits }: { replicas: number; signInLimits?: SignInLimitSettings },
  logger: Logger,
): Promise<CommandContext> => {
  const connection = watchConnection(nc)
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  await ensureEventLogStreams(jsm, replicas, logger)
  const [idempotencyKv, emailsKv, snapshotsKv, credentialsKv] = await Promise.all([
    ensureBucket(js, jsm, commandBuckets.idempotency, { replicas, ttlMs: dayInMs }),
    ensureBucket(js, jsm, commandBuckets.emails, { replicas }),
    ensureBucket(js, jsm, commandBuckets.noteSnapshots, { replicas }),
    ensureBucket(js, jsm, commandBuckets.credentials, { replicas }),
  ])
  const directory = new UserDirectory(js, jsm, logger, connection)
  await directory.start()
  const metrics = commandMetrics()
  return {
    nc,
    connection,
    jsm,
    store: new EventStore(js, jsm, replicas > 1),
    locks: new KeyedLock(),
    directory,
    notes: new NoteRepository(jsm, snapshotsKv, logger),
    idempotency: new Idempotency(new IdempotencyStore(idempotencyKv), jsm, logger, metrics.idempotentReplays),
    emailClaims: new EmailClaims(emailsKv, directory, logger),
    credentials: new Credentials(credentialsKv),
    signInLimits: new SignInLimits(signInLimits),
    metrics,
    close: () => directory.stop(),
  }
}
