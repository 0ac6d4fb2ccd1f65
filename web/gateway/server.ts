import { createLogger, loadConfigOrExit, rateLimitsOf } from '@jetnotes/platform'
import closeWithGrace from 'close-with-grace'
import { loadGatewayConfig } from './config.ts'
import { startGateway } from './start-gateway.ts'

// The web gateway process (`npm start` runs it): it needs no NATS, only the two services' addresses.
const config = loadConfigOrExit(() => loadGatewayConfig())
const logger = createLogger('web-gateway', config.LOG_LEVEL)
const gateway = await startGateway({
  commandUrl: config.commandUrl,
  queryUrl: config.queryUrl,
  logger,
  rateLimits: rateLimitsOf(config),
  trustProxy: config.TRUST_PROXY,
  host: config.HOST,
  port: config.WEB_PORT,
})
logger.info(
  { commandUrl: config.commandUrl, queryUrl: config.queryUrl },
  `serving the web app on ${gateway.url}`,
)
closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'stopping after an unexpected error')
  else logger.info({ signal }, 'stopping')
  await gateway.close()
})
// Spawned by the launcher with an IPC channel: when the launcher dies, so do we.
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
