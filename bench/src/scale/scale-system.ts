import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, type NatsServerHandle, startNatsServer } from '@jetnotes/testing'
import { howItEnded, isRunning, type Supervised, stop, supervise } from '../../../scripts/start/processes.ts'
import { services } from '../../../scripts/start/services.ts'
import { waitUntilReady } from '../ports.ts'
import { nodeMemory, processRss } from './memory.ts'

type ServiceName = (typeof services)[number]['name']

const reporter = fileURLToPath(new URL('./memory-reporter.ts', import.meta.url))

/**
 * nats-server (the repo's configuration, a temp store dir) and the three services as `npm start` runs them,
 * each with memory-reporter.ts preloaded, and each restartable on its own so its start-up against the loaded
 * data can be timed. The projector serves no HTTP: it counts as started when it logs "projecting".
 */
export const startScaleSystem = async (workDir: string) => {
  const nats: NatsServerHandle = await startNatsServer({ configFile: 'nats-server.conf' })
  const commandUrl = `http://127.0.0.1:${await freePort()}`
  const queryUrl = `http://127.0.0.1:${await freePort()}`
  const env = {
    ...process.env,
    COMMAND_PORT: new URL(commandUrl).port,
    QUERY_PORT: new URL(queryUrl).port,
    PROJECTOR_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // One load generator, one address, 100,000 users: the limits stay on but out of the way, as in `npm run bench`.
    RATE_LIMIT_PER_USER: '100000000',
    RATE_LIMIT_PER_ADDRESS: '100000000',
  }
  const running = new Map<ServiceName, Supervised>()
  const memoryFile = (name: ServiceName) => join(workDir, `${name}-memory.json`)

  /** Starts one service and resolves with the seconds until it is ready (/readyz 200, or "projecting"). */
  const start = async (name: ServiceName, timeoutMs = 600_000) => {
    const index = services.findIndex((service) => service.name === name)
    const service = services[index]
    if (service === undefined) throw new Error(`no service ${name}`)
    const started = performance.now()
    let projecting: () => void = () => {}
    const projected = new Promise<void>((resolve) => {
      projecting = resolve
    })
    const child = supervise(
      service.name,
      process.execPath,
      ['--import', 'tsx', '--import', reporter, service.entry],
      {
        env: {
          ...env,
          ...nats.loginEnv(service.natsUser),
          SCALE_MEMORY_FILE: memoryFile(name),
          // The projector's "projecting" line is at info; its other info lines are few (no per-event logging).
          ...(name === 'projector' ? { LOG_LEVEL: 'info' } : {}),
        },
        ipc: true,
        index,
        onLine: (line) => {
          if (line.includes('"projecting"')) projecting()
        },
      },
    )
    running.set(name, child)
    if (name === 'projector') {
      await Promise.race([
        projected,
        child.exited.then((code) => {
          throw new Error(`the projector exited (${code}) before projecting`)
        }),
      ])
    } else {
      await waitUntilReady(name === 'command' ? commandUrl : queryUrl, timeoutMs)
    }
    return (performance.now() - started) / 1000
  }

  const stopAll = async () => {
    // Reverse start-up order: the query-service first, nats-server stays.
    for (const service of [...services].reverse()) {
      const child = running.get(service.name)
      if (child !== undefined && isRunning(child)) await stop(child)
    }
  }

  return {
    nats,
    commandUrl,
    queryUrl,
    start,
    stopAll,
    /** RSS of nats-server and RSS plus V8 heap of each service, in MB, right now. */
    memory: () => ({
      nats: processRss(nats.pid),
      ...Object.fromEntries(
        services.map(({ name }) => {
          const child = running.get(name)
          // A service that died (out of memory, say) must not report its last reading as if alive.
          if (child !== undefined && !isRunning(child)) return [name, { exited: howItEnded(child) }]
          return [name, nodeMemory(memoryFile(name))]
        }),
      ),
    }),
    [Symbol.asyncDispose]: async () => {
      await stopAll()
      await nats[Symbol.asyncDispose]()
    },
  }
}

export type ScaleSystem = Awaited<ReturnType<typeof startScaleSystem>>
