import closeWithGrace from 'close-with-grace'
import type { Logger } from 'pino'
import { ConfigError, loadDotEnv } from './config.ts'

export type RunningService = { close: () => Promise<void> }

/**
 * Runs a service process: loads `.env` defaults, starts it, and on SIGINT/SIGTERM (or when the `npm start` launcher that spawned it
 * goes away) closes it gracefully, within 10 seconds. A configuration error stops start-up with exit code 2.
 */
export const runService = async (start: () => Promise<{ logger: Logger; service: RunningService }>) => {
  let started: Awaited<ReturnType<typeof start>>
  try {
    loadDotEnv()
    started = await start()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  const { logger, service } = started
  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an unexpected error')
    else logger.info({ signal }, 'stopping')
    await service.close()
  })
  // Spawned by the launcher with an IPC channel: when the launcher dies, so do we.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}
