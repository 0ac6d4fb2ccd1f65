import { join } from 'node:path'
import {
  CommonEnv,
  connectNats,
  loadConfig,
  loadConfigOrExit,
  loadDotEnv,
  natsSettingsOf,
} from '@jetnotes/platform'
import { metaBucket } from '@jetnotes/schemas'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { Generations } from '../generations.ts'

/**
 * What the projection commands need: a NATS connection as the operator and the generations. The login comes
 * from the environment (NATS_URL, NATS_USER, NATS_PASSWORD), else from the operator.env `npm start` wrote
 * into DATA_DIR.
 */
export const connectForCli = async () => {
  loadDotEnv()
  const dataDir = process.env.DATA_DIR || './.data'
  const { config, settings } = loadConfigOrExit(() => {
    const loaded = loadConfig(CommonEnv)
    return { config: loaded, settings: natsSettingsOf(loaded) }
  }, ['.env', join(dataDir, 'operator.env')])
  const logger = pino({ level: 'warn' })
  // A person is waiting: no server is an error to report at once, not one to wait out.
  const nc = await connectNats(settings, { name: 'jetnotes-cli', logger, waitForServer: false }).catch(
    (error: unknown) => {
      const message = (error as Error).message
      const hint = /authori[sz]ation/i.test(message)
        ? `Log in as the operator: NATS_USER and NATS_PASSWORD, or the ${join(dataDir, 'operator.env')} npm start writes.`
        : 'Is the system running (npm start)?'
      console.error(`Cannot connect to NATS at ${settings.url} (${message}). ${hint}`)
      return process.exit(1)
    },
  )
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  // The deployment's replicas, not this shell's .env: opening the meta bucket with fewer would shrink it, and a
  // rebuild's new buckets should have as many as the rest (3 under `npm run cluster`).
  const replicas = await jsm.streams.info(`KV_${metaBucket}`).then(
    (info) => info.config.num_replicas,
    () => config.STREAM_REPLICAS,
  )
  const generations = await Generations.open(js, jsm, replicas, logger)
  return { nc, js, jsm, generations, logger }
}
