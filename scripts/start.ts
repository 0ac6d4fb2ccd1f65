import { existsSync } from 'node:fs'
import { ConfigError, loadConfig, loadDotEnv, Port } from '@jetnotes/platform'
import { z } from 'zod'
import { natsServerBinary, startNatsServer } from './start/nats-server.ts'
import { type Supervised, say, stop, supervise } from './start/processes.ts'

/**
 * `npm start`: runs the whole system in the foreground. A nats-server with the repo's configuration (unless
 * NATS_URL names one), then every service, their output prefixed by name. Ctrl-C or SIGTERM stops the services
 * first, then nats-server.
 */
const services = [
  { name: 'command', entry: 'command-service/src/server.ts' },
  { name: 'projector', entry: 'projector/src/main.ts' },
  { name: 'query', entry: 'query-service/src/server.ts' },
]

loadDotEnv()
let config: {
  NATS_URL?: string | undefined
  NATS_PORT: number
  COMMAND_PORT: number
  QUERY_PORT: number
  DATA_DIR: string
}
try {
  config = loadConfig({
    NATS_URL: z.string().min(1).optional(),
    NATS_PORT: Port.default(4222),
    COMMAND_PORT: Port.default(8081),
    QUERY_PORT: Port.default(8082),
    DATA_DIR: z.string().min(1).default('./.data'),
  })
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(2)
}

let nats: Supervised | undefined
const running: Supervised[] = []
let stopping = false

const shutdown = async (code: number) => {
  if (stopping) return
  stopping = true
  say('stopping the services')
  await Promise.all(running.map((service) => stop(service)))
  if (nats !== undefined) {
    say('stopping nats-server')
    await stop(nats)
  }
  process.exit(code)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C: do not wait any longer.
      for (const child of [...running, ...(nats ? [nats] : [])]) child.child.kill('SIGKILL')
      process.exit(130)
    }
    void shutdown(0)
  })
}

const env: NodeJS.ProcessEnv = { ...process.env }
if (config.NATS_URL === undefined) {
  const binary = natsServerBinary()
  if (binary === undefined) process.exit(1)
  try {
    nats = await startNatsServer(binary, config.NATS_PORT, config.DATA_DIR)
  } catch (error) {
    console.error((error as Error).message)
    await shutdown(1)
  }
  env.NATS_URL = `nats://127.0.0.1:${config.NATS_PORT}`
  say(`nats-server is up on port ${config.NATS_PORT}, data in ${config.DATA_DIR}`)
} else {
  say(`using the nats-server at ${config.NATS_URL}`)
}

for (const [index, service] of services.entries()) {
  if (!existsSync(service.entry)) continue
  const started = supervise(service.name, process.execPath, ['--import', 'tsx', service.entry], {
    env,
    ipc: true,
    index: index + 1,
  })
  running.push(started)
  void started.exited.then((code) => {
    if (stopping) return
    say(`${service.name} exited unexpectedly (code ${code}); stopping everything`)
    void shutdown(1)
  })
}
if (nats !== undefined) {
  void nats.exited.then((code) => {
    if (stopping) return
    say(`nats-server exited unexpectedly (code ${code}); stopping everything`)
    void shutdown(1)
  })
}
say(
  `command-service on port ${config.COMMAND_PORT}, query-service on port ${config.QUERY_PORT}; Ctrl-C stops all`,
)
