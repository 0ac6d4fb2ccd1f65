import { buildCommandApp, openCommandContext, type SignInLimitSettings } from '@jetnotes/command-service'
import type { RateLimits } from '@jetnotes/platform'
import {
  Generations,
  type ProjectionOptions,
  projectionsWith,
  startProjector as startProjections,
} from '@jetnotes/projector'
import { buildQueryApp, openQueryContext } from '@jetnotes/query-service'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { FastifyInstance } from 'fastify'
import { type Logger, pino } from 'pino'
import { httpClient } from './http-client.ts'
import { type NatsServerHandle, startNatsServer } from './nats-server.ts'

const listen = async (app: FastifyInstance) => {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return httpClient(`http://127.0.0.1:${address.port}`)
}

/**
 * A projector, in process, as its main runs it (an upgrade rebuild first, if needed): stoppable. Several may
 * run (each projection is folded by the holder of its lease, see `holder`).
 */
export const startInProcessProjector = async (
  nats: NatsServerHandle,
  logger: Logger,
  options: Partial<ProjectionOptions>,
  replicas = 1,
) => {
  const nc = await nats.connect('projector', { name: 'test-projector', logger })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const generations = await Generations.open(js, jsm, replicas, logger)
  const projector = await startProjections({ nc, js, jsm, generations, logger }, projectionsWith(options))
  return {
    nc,
    generations,
    holder: projector.holder,
    stop: async () => {
      await projector.stop()
      await nc.close()
    },
  }
}

/**
 * The whole system in this process, as `npm start` runs it in several: a nats-server in a temp dir, the
 * command-service, the projector and the query-service on random ports. `await using` tears it all down.
 */
export type SystemOptions = {
  consistencyTimeoutMs?: number
  /** Most summaries in one page of a note list (tiny pages exercise splits and merges). */
  notePageSize?: number
  /** Most pages in one page of a note list's directory (tiny ones exercise its splits and merges). */
  noteDirectorySize?: number
  /** Most notes one list request looks at (filters). */
  listScanLimit?: number
  /** The query-service's cache of each read-model bucket, in bytes (0: every read goes to KV). */
  viewCacheBytes?: number
  nats?: NatsServerHandle
  /** Replicas of every stream and bucket the services create (default 1; 3 on a 3-node `startNatsCluster`). */
  replicas?: number
  /** Live streams: events a client may have queued before it is cut, the resume history, the heartbeat. */
  liveClientQueue?: number
  liveHistoryBytes?: number
  heartbeatMs?: number
  /** Where every service of the system logs (default: nowhere); a test passes one to read what was reported. */
  logger?: Logger
  /** The query-service's /readyz fails while a projection is more events than this behind its stream. */
  readyMaxLag?: number
  /** Both services' rate limits (default: none) and the browser origins they allow (default: none). */
  rateLimits?: RateLimits
  corsOrigins?: string
  /** The command-service's sign-in attempt limits (default: none). */
  signInLimits?: SignInLimitSettings
  /** Peers whose X-Forwarded-For both services believe (default: none). */
  trustProxy?: readonly string[]
}

export const startSystem = async (options: SystemOptions = {}) => {
  const logger = options.logger ?? pino({ level: 'silent' })
  const nats = options.nats ?? (await startNatsServer())
  const replicas = options.replicas ?? 1
  const commandNc = await nats.connect('command-service', { name: 'test-command', logger })
  const commandContext = await openCommandContext(
    commandNc,
    { replicas, ...(options.signInLimits === undefined ? {} : { signInLimits: options.signInLimits }) },
    logger,
  )
  const httpOptions = {
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  }
  const commandApp = await buildCommandApp(commandContext, logger, httpOptions)
  const commands = await listen(commandApp)
  const projectionOptions = {
    ...(options.notePageSize === undefined ? {} : { notePageSize: options.notePageSize }),
    ...(options.noteDirectorySize === undefined ? {} : { noteDirectorySize: options.noteDirectorySize }),
  }
  let projector = await startInProcessProjector(nats, logger, projectionOptions, replicas)
  const queryNc = await nats.connect('query-service', { name: 'test-query', logger })
  const queryContext = await openQueryContext(
    queryNc,
    {
      replicas,
      consistencyTimeoutMs: options.consistencyTimeoutMs ?? 5_000,
      listScanLimit: options.listScanLimit ?? 2_000,
      viewCacheBytes: options.viewCacheBytes ?? 32 * 1024 * 1024,
      live: { historyBytes: options.liveHistoryBytes ?? 32 * 1024 * 1024 },
    },
    logger,
  )
  const queryApp = await buildQueryApp(queryContext, logger, {
    ...httpOptions,
    readyMaxLag: options.readyMaxLag ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    live: { retryMs: 2_000, maxQueuedEvents: options.liveClientQueue ?? 1_000 },
  })
  const queries = await listen(queryApp)
  // What a test does to NATS itself (reading streams and buckets, forging messages) it does as the operator.
  const nc = await nats.connect('operator', { name: 'test-operator', logger })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)

  return {
    nats,
    /** Replicas of the streams and buckets the services created. */
    replicas,
    /** The operator's connection, for what a test does to NATS itself. */
    nc,
    /** The command-service's own NATS connection. */
    commandNc,
    js,
    jsm,
    logger,
    /** The command-service API. */
    commands,
    /** The query-service API. */
    queries,
    queryContext,
    /** The query-service's own NATS connection (its statistics show the round trips reads cost). */
    queryNc,
    /** The settings the projections run with (a rebuild in a test should use the same). */
    projectionOptions,
    get generations() {
      return projector.generations
    },
    stopProjector: () => projector.stop(),
    restartProjector: async () => {
      projector = await startInProcessProjector(nats, logger, projectionOptions, replicas)
    },
    async [Symbol.asyncDispose]() {
      await queryApp.close()
      queryContext.close()
      await queryNc.close()
      await projector.stop().catch(() => {})
      await commandApp.close()
      commandContext.close()
      await commandNc.close()
      await nc.close()
      if (options.nats === undefined) await nats[Symbol.asyncDispose]()
    },
  }
}

export type RunningSystem = Awaited<ReturnType<typeof startSystem>>
