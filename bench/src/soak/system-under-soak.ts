import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startNatsServer } from '@jetnotes/testing'
import type { NatsConnection } from '@nats-io/transport-node'
import { services } from '../../../scripts/start/services.ts'
import { waitUntilReady } from '../ports.ts'
import { startServiceProcesses } from './service-processes.ts'

/**
 * THE SEAM between the soak and what it soaks. Everything the soak knows about the system is this type: where
 * its APIs are, how to log in as the operator, which processes it has and the two faults it can inject into
 * each. `startSingleNodeSystem` below is one; `startClusterSystem` (cluster-under-soak.ts: three nats-servers,
 * two of each service) returns the same type, and nothing else in the soak changes.
 */
export type SystemUnderSoak = {
  /** Base URLs of the command APIs and the query APIs (one each here; a cluster has several). */
  commandUrls: readonly string[]
  queryUrls: readonly string[]
  /** Connects as the operator, to read the log and the views. */
  connectOperator: () => Promise<NatsConnection>
  /** The page sizes the projectors run with (the views check needs them). */
  projectionOptions: { notePageSize?: number; noteDirectorySize?: number }
  /** Every process a fault may hit, by name (e.g. `nats-server`, `command`, `projector`, `query`). */
  processes: readonly string[]
  /**
   * Roles a fault may hit besides (e.g. `notes-leader`): which process plays one can change as the system
   * runs, so `resolveRole` names it when the fault comes.
   */
  roles?: readonly string[]
  resolveRole?: (role: string) => Promise<string>
  /**
   * SIGKILLs the process; it is back `downMs` later (restarted here; by the supervisor under a launcher that
   * supervises). Resolves once it is back, started (not necessarily ready).
   */
  kill: (process: string, downMs: number) => Promise<void>
  /** SIGSTOPs the process and SIGCONTs it `pausedMs` later; resolves once it runs again. */
  pause: (process: string, pausedMs: number) => Promise<void>
  /** Resolves once every process runs and every API answers /readyz (or throws after `timeoutMs`). */
  settled: (timeoutMs: number) => Promise<void>
  /** Processes that ended without a fault asking (each is restarted), with how and when (ms since epoch). */
  exits: readonly { process: string; how: string; at: number }[]
  /** Where the processes' output goes. */
  logDir: string
  [Symbol.asyncDispose]: () => Promise<void>
}

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * The environment of a soaked service listening on these ports (its NATS login comes on top): logs to files,
 * limits out of the way (every soak user comes from one address and works far harder than a person).
 */
export const soakServiceEnv = (ports: { command: number; query: number }): NodeJS.ProcessEnv => ({
  ...process.env,
  COMMAND_PORT: String(ports.command),
  QUERY_PORT: String(ports.query),
  PROJECTOR_PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_USER: '100000000',
  RATE_LIMIT_PER_ADDRESS: '100000000',
})

/**
 * The system as `npm start` runs it, but with the soak as its supervisor: one nats-server (the shared test
 * harness: temp store dir, random port, the repo's nats-server.conf) and each service of scripts/start/services.ts
 * as a child process, restarted by the soak after it kills one. Their output goes to files in `logDir`.
 */
export const startSingleNodeSystem = async (): Promise<SystemUnderSoak> => {
  const nats = await startNatsServer({ configFile: join(repoRoot, 'nats-server.conf') })
  const logDir = mkdtempSync(join(tmpdir(), 'jetnotes-soak-'))
  const ports = { command: await freePort(), query: await freePort() }
  const commandUrl = `http://127.0.0.1:${ports.command}`
  const queryUrl = `http://127.0.0.1:${ports.query}`
  const processes = startServiceProcesses(logDir)
  for (const service of services) {
    processes.launch({ ...service, env: { ...soakServiceEnv(ports), ...nats.loginEnv(service.natsUser) } })
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  const system: SystemUnderSoak = {
    commandUrls: [commandUrl],
    queryUrls: [queryUrl],
    connectOperator: () => nats.connect('operator', { name: 'soak-operator' }),
    projectionOptions: {},
    processes: ['nats-server', ...services.map((service) => service.name)],
    kill: async (name, downMs) => {
      if (name === 'nats-server') {
        await nats.kill('SIGKILL')
        await sleep(downMs)
        return nats.restart()
      }
      await processes.kill(name, downMs)
    },
    pause: async (name, pausedMs) => {
      const pid = name === 'nats-server' ? nats.pid : processes.pid(name)
      if (pid === undefined) throw new Error(`${name} is not running`)
      process.kill(pid, 'SIGSTOP')
      await sleep(pausedMs)
      process.kill(pid, 'SIGCONT')
    },
    settled: async (timeoutMs) => {
      await Promise.all([waitUntilReady(commandUrl, timeoutMs), waitUntilReady(queryUrl, timeoutMs)])
    },
    exits: processes.exits,
    logDir,
    [Symbol.asyncDispose]: async () => {
      await processes.stopAll()
      if (nats.pid !== undefined) process.kill(nats.pid, 'SIGCONT')
      await nats[Symbol.asyncDispose]()
    },
  }
  return system
}
