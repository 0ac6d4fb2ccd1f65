import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'

/**
 * Connects to NATS, waiting for the server when it is not up yet (as under `npm start` or compose), and
 * reconnecting forever afterwards. Connection changes are logged.
 */
export const connectNats = async (url: string, name: string, logger: Logger): Promise<NatsConnection> => {
  const nc = await connect({
    servers: url.split(',').map((server) => server.trim()),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    // Otherwise every request builds two Error objects up front for their stack traces: 3 to 6% of each
    // service's CPU under load (`npm run bench -- --profile`). Errors still say what failed.
    noAsyncTraces: true,
  })
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
