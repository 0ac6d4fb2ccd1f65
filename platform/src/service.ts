import type { NatsConnection } from '@nats-io/transport-node'
import closeWithGrace from 'close-with-grace'
import type { Logger } from 'pino'
import { loadConfigOrExit, natsSettingsOf } from './config.ts'
import { createLogger } from './logger.ts'
import { connectNats } from './nats/connection.ts'
import { startTracing } from './observability/tracing.ts'

export type RunningService = { close: () => Promise<void> }

/** The settings runService itself needs of every service's configuration (all in CommonEnv). */
type ServiceConfig = Parameters<typeof natsSettingsOf>[0] & { LOG_LEVEL: string }

/**
 * Runs a service process: loads `.env` defaults and its configuration (a configuration error stops start-up
 * with exit code 2), sets up tracing from the OTEL_* variables, creates its logger, connects to NATS as the
 * configuration says, then starts it. On SIGINT/SIGTERM (or when the `npm start` launcher that spawned it goes
 * away) it closes gracefully within 10 seconds: the service first, then the NATS connection, drained, then the
 * spans still buffered are sent.
 */
export const runService = async <Config extends ServiceConfig>(
  name: string,
  loadServiceConfig: () => Config,
  start: (wiring: { config: Config; logger: Logger; nc: NatsConnection }) => Promise<RunningService>,
) => {
  const { config, settings } = loadConfigOrExit(() => {
    const loaded = loadServiceConfig()
    return { config: loaded, settings: natsSettingsOf(loaded) }
  })
  const tracing = startTracing(name)
  const logger = createLogger(name, config.LOG_LEVEL)
  const nc = await connectNats(settings, { name, logger })
  const service = await start({ config, logger, nc })
  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an unexpected error')
    else logger.info({ signal }, 'stopping')
    await service.close()
    await nc.drain()
    await tracing.shutdown()
  })
  // Spawned by the launcher with an IPC channel: when the launcher dies, so do we.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}
