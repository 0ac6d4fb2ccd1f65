import { CommonEnv, ConfigError, loadConfig, loadDotEnv, natsUrlOf } from '@jetnotes/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { pino } from 'pino'
import { Generations } from '../generations.ts'

/** What the projection commands need: a NATS connection (from NATS_URL, or the local one) and the generations. */
export const connectForCli = async () => {
  loadDotEnv()
  let config: ReturnType<typeof loadConfig<typeof CommonEnv>>
  try {
    config = loadConfig(CommonEnv)
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  const url = natsUrlOf(config)
  const nc = await connect({ servers: url, name: 'jetnotes-cli' }).catch((error: unknown) => {
    console.error(
      `Cannot reach NATS at ${url} (${(error as Error).message}). Is the system running (npm start)?`,
    )
    process.exit(1)
  })
  const logger = pino({ level: 'warn' })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const generations = await Generations.open(js, jsm, config.STREAM_REPLICAS, logger)
  return { nc, js, jsm, generations, logger }
}
