import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { coalesceWrites } from './coalesced-writes.ts'

/** Where NATS is and who connects: the settings every connection of the system is made from. */
export type NatsSettings = {
  /** One server, or several separated by commas. */
  url: string
  user?: string | undefined
  password?: string | undefined
}

export type ConnectNatsOptions = {
  /** The client name the server shows (`/connz`), e.g. the service's. */
  name: string
  logger: Logger
  /**
   * Wait for a server that is not up yet, as a service does under `npm start` or compose (the default). A
   * command a person runs fails at once instead, so it can say what is wrong.
   */
  waitForServer?: boolean
}

/**
 * Connects to NATS with the system's one policy: credentials when given, reconnecting forever once connected,
 * and (by default) waiting for the server at start-up, writing once per turn of the event loop
 * (`coalesceWrites`). Connection changes are logged.
 */
export const connectNats = async (
  settings: NatsSettings,
  { name, logger, waitForServer = true }: ConnectNatsOptions,
): Promise<NatsConnection> => {
  const nc = await connect({
    servers: settings.url.split(',').map((server) => server.trim()),
    name,
    ...(settings.user === undefined ? {} : { user: settings.user, pass: settings.password ?? '' }),
    waitOnFirstConnect: waitForServer,
    maxReconnectAttempts: -1,
    // nats.js waits 2 s between rounds of attempts by default; a nats-server restarted by `npm start` is back
    // in about half a second, and every request meanwhile is answered 503.
    reconnectTimeWait: 500,
    // Otherwise every request builds two Error objects up front for their stack traces: 3 to 6% of each
    // service's CPU under load (`npm run bench -- --profile`). Errors still say what failed.
    noAsyncTraces: true,
  })
  coalesceWrites(nc)
  logger.info({ server: nc.getServer() }, 'connected to NATS')
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        logger.warn({ status: status.type }, 'NATS connection status changed')
      }
    }
  })()
  return nc
}
