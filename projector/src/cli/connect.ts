import { CommonEnv, connectNats, loadConfig, loadConfigOrExit, natsSettingsOf } from '@jetnotes/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { Generations } from '../generations.ts'

/** What the projection commands need: a NATS connection (from NATS_URL, or the local one) and the generations. */
export const connectForCli = async () => {
  const config = loadConfigOrExit(() => loadConfig(CommonEnv))
  const settings = natsSettingsOf(config)
  const logger = pino({ level: 'warn' })
  // A person is waiting: no server is an error to report at once, not one to wait out.
  const nc = await connectNats(settings, { name: 'jetnotes-cli', logger, waitForServer: false }).catch(
    (error: unknown) => {
      console.error(
        `Cannot reach NATS at ${settings.url} (${(error as Error).message}). Is the system running (npm start)?`,
      )
      return process.exit(1)
    },
  )
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const generations = await Generations.open(js, jsm, config.STREAM_REPLICAS, logger)
  return { nc, js, jsm, generations, logger }
}
