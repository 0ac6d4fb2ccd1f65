import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadConfig, loadConfigOrExit, natsUsers, Port, passwordVariableOf } from '@jetnotes/platform'
import { z } from 'zod'
import { buildAppIfNeeded } from './start/app-build.ts'
import { natsPasswords, operatorEnvFile, writeOperatorEnv } from './start/credentials.ts'
import { type KeptRunning, keepRunning } from './start/keep-running.ts'
import { natsServerBinary, startNatsServer } from './start/nats-server.ts'
import { pidFileOf } from './start/pid-files.ts'
import { say, supervise } from './start/processes.ts'
import { startedByNpmStart } from './start/services.ts'
import { launcherShutdown } from './start/shutdown.ts'

/**
 * `npm start`: runs the whole system in the foreground. It says where the app is first, builds the web app
 * when web/dist is missing or older than its sources, then starts a nats-server with the repo's configuration
 * (unless NATS_URL names one), then every service and the web gateway, their output prefixed by name. Each is kept running: one that
 * crashes is started again with backoff (`keepRunning`) while the others go on serving; each one's pid is in
 * $DATA_DIR/run/<name>.pid. Ctrl-C or SIGTERM stops the services first, then nats-server.
 */

// Paths (.env, nats-server.conf, DATA_DIR, the entries above) are relative to the repo root, wherever this runs from.
process.chdir(fileURLToPath(new URL('..', import.meta.url)))
const config = loadConfigOrExit(() =>
  loadConfig({
    NATS_URL: z.string().min(1).optional(),
    NATS_PORT: Port.default(4222),
    COMMAND_PORT: Port.default(8081),
    QUERY_PORT: Port.default(8082),
    WEB_PORT: Port.default(8080),
    /** The projector's metrics and health; 0: none. */
    PROJECTOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
    /** nats-server's monitoring port (on 127.0.0.1); 0 turns it off. */
    NATS_MONITOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8222),
    DATA_DIR: z.string().min(1).default('./.data'),
  }),
)
// Where to go, before anything else is said: the line a person looks for.
const appUrl = `http://localhost:${config.WEB_PORT}`
process.stdout.write(`jetnotes: ${appUrl}\n`)

const passwords = (() => {
  try {
    return natsPasswords(config.DATA_DIR)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    return process.exit(2)
  }
})()

const running: KeptRunning[] = []
let nats: KeptRunning | undefined
const { giveUp, stopping, shuttingDown } = launcherShutdown({
  services: running,
  servers: () => (nats === undefined ? [] : [nats]),
})

await buildAppIfNeeded(0).catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error))
  process.exit(1)
})

// No service sees another's password (nor the operator's): each gets its own user below.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !natsUsers.some((user) => passwordVariableOf(user) === key)),
)
if (config.NATS_URL === undefined) {
  const binary = await natsServerBinary()
  if (binary === undefined) process.exit(1)
  const ports = { client: config.NATS_PORT, monitor: config.NATS_MONITOR_PORT }
  nats = keepRunning({
    name: 'nats',
    // Every restart with the same ports, store directory and passwords: the services reconnect to the same log.
    start: () => startNatsServer(binary, ports, config.DATA_DIR, passwords),
    pidFile: pidFileOf(config.DATA_DIR, 'nats'),
  })
  const first = await nats.started.catch((error: unknown) => {
    // A signal during start-up stops nats-server too: that is no error to report.
    if (stopping()) return shuttingDown
    console.error(error instanceof Error ? error.message : error)
    return process.exit(1)
  })
  // A signal while nats-server started: start nothing more, shutdown() ends the process.
  if (stopping()) await shuttingDown
  env.NATS_URL = `nats://127.0.0.1:${config.NATS_PORT}`
  const monitoring =
    config.NATS_MONITOR_PORT === 0 ? '' : `, monitoring on 127.0.0.1:${config.NATS_MONITOR_PORT}`
  say(
    `nats-server is up on port ${config.NATS_PORT}${monitoring}, data in ${config.DATA_DIR} (pid ${first.child.pid})`,
  )
} else {
  env.NATS_URL = config.NATS_URL
  say(`using the nats-server at ${config.NATS_URL}`)
}
writeOperatorEnv(config.DATA_DIR, env.NATS_URL, passwords.operator)
say(`the operator's NATS login is in ${operatorEnvFile(config.DATA_DIR)}`)

for (const [index, service] of startedByNpmStart.entries()) {
  if (!existsSync(service.entry)) {
    say(`warning: ${service.entry} does not exist; not starting ${service.name}`)
    continue
  }
  const args = ['--import', 'tsx', service.entry]
  // The gateway uses no NATS: it gets no login at all.
  const serviceEnv =
    service.natsUser === undefined
      ? env
      : { ...env, NATS_USER: service.natsUser, NATS_PASSWORD: passwords[service.natsUser] }
  const kept = keepRunning({
    name: service.name,
    start: () =>
      supervise(service.name, process.execPath, args, { env: serviceEnv, ipc: true, index: index + 1 }),
    pidFile: pidFileOf(config.DATA_DIR, service.name),
    // Exit code 2 is a configuration error (see runService): the same settings would fail the same way.
    fatalExitCodes: [2],
    onGiveUp: giveUp,
  })
  running.push(kept)
}
say(
  `command-service on port ${config.COMMAND_PORT}, query-service on port ${config.QUERY_PORT}, the web app on port ${config.WEB_PORT}${
    config.PROJECTOR_PORT === 0 ? '' : `, projector's metrics on port ${config.PROJECTOR_PORT}`
  }; pids in ${pidFileOf(config.DATA_DIR, '*')}; Ctrl-C stops all`,
)
// Once the gateway and both services behind it answer: the address again, now that it works.
if (await appReady(`http://127.0.0.1:${config.WEB_PORT}/readyz`, 60_000)) {
  process.stdout.write(`jetnotes: ${appUrl} is ready\n`)
}

/** Whether the gateway's /readyz (the gateway, and the services behind it, answer) passes within `withinMs`. */
async function appReady(url: string, withinMs: number) {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline && !stopping()) {
    const ready = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then(async (response) => {
        await response.body?.cancel()
        return response.ok
      })
      .catch(() => false)
    if (ready) return true
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}
