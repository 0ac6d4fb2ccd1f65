import { buildCommandApp, openCommandContext } from '@jetnotes/command-service'
import { Generations, ProjectionRunner, projectionCatalog } from '@jetnotes/projector'
import { buildQueryApp, openQueryContext } from '@jetnotes/query-service'
import { projectionNames } from '@jetnotes/schemas'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
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

/** The projector, in process: one runner per projection, stoppable and restartable. */
const startProjector = async (url: string, logger: Logger) => {
  const nc = await connect({ servers: url, name: 'test-projector' })
  const generations = await Generations.open(jetstream(nc), await jetstreamManager(nc), 1, logger)
  const runners = projectionNames.map(
    (name) => new ProjectionRunner(projectionCatalog[name], generations, logger),
  )
  await Promise.all(runners.map((runner) => runner.start()))
  return {
    nc,
    generations,
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop()))
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
  /** The query-service's cache of each read-model bucket, in bytes (0: every read goes to KV). */
  viewCacheBytes?: number
  nats?: NatsServerHandle
  /** Live streams: events a client may have queued before it is cut, the resume history, the heartbeat. */
  liveClientQueue?: number
  liveHistoryBytes?: number
  heartbeatMs?: number
  /** The query-service's /readyz fails while a projection is more events than this behind its stream. */
  readyMaxLag?: number
}

export const startSystem = async (options: SystemOptions = {}) => {
  const logger = pino({ level: 'silent' })
  const nats = options.nats ?? (await startNatsServer())
  const commandNc = await connect({ servers: nats.url, name: 'test-command' })
  const commandContext = await openCommandContext(commandNc, { replicas: 1 }, logger)
  const commandApp = await buildCommandApp(commandContext, logger)
  const commands = await listen(commandApp)
  let projector = await startProjector(nats.url, logger)
  const queryNc: NatsConnection = await connect({ servers: nats.url, name: 'test-query' })
  const queryContext = await openQueryContext(
    queryNc,
    {
      replicas: 1,
      consistencyTimeoutMs: options.consistencyTimeoutMs ?? 5_000,
      viewCacheBytes: options.viewCacheBytes ?? 32 * 1024 * 1024,
      live: {
        historyBytes: options.liveHistoryBytes ?? 32 * 1024 * 1024,
        prefillMessages: 1_000,
        replayConcurrency: 4,
      },
    },
    logger,
  )
  const queryApp = await buildQueryApp(queryContext, logger, {
    readyMaxLag: options.readyMaxLag ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    live: { retryMs: 2_000, maxQueuedEvents: options.liveClientQueue ?? 1_000 },
  })
  const queries = await listen(queryApp)
  const js = jetstream(commandNc)
  const jsm = await jetstreamManager(commandNc)

  return {
    nats,
    nc: commandNc,
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
    get generations() {
      return projector.generations
    },
    stopProjector: () => projector.stop(),
    restartProjector: async () => {
      projector = await startProjector(nats.url, logger)
    },
    async [Symbol.asyncDispose]() {
      await queryApp.close()
      queryContext.close()
      await queryNc.close()
      await projector.stop().catch(() => {})
      await commandApp.close()
      commandContext.close()
      await commandNc.close()
      if (options.nats === undefined) await nats[Symbol.asyncDispose]()
    },
  }
}

export type RunningSystem = Awaited<ReturnType<typeof startSystem>>
