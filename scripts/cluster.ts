import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  connectNats,
  loadConfig,
  loadConfigOrExit,
  natsUsers,
  Port,
  passwordVariableOf,
  waitForJetStream,
} from '@jetnotes/platform'
import { pino } from 'pino'
import { z } from 'zod'
import { clusterInstances } from './cluster/instances.ts'
import { clusterNodes, startNode, writeNodeConfigs } from './cluster/nats-nodes.ts'
import { natsPasswords, operatorEnvFile, writeOperatorEnv } from './start/credentials.ts'
import { natsServerBinary } from './start/nats-server.ts'
import { children, howItEnded, isRunning, type Supervised, say, stop, supervise } from './start/processes.ts'

/**
 * `npm run cluster`: the system on a 3-node JetStream cluster, in the foreground. Three nats-servers on
 * 127.0.0.1 routed to each other (data in DATA_DIR/cluster), streams and buckets with 3 replicas, then two
 * command-services, two query-services and the projector(s). A process that dies is reported and the others
 * go on: that is what the cluster is for. Ctrl-C or SIGTERM stops the services first, then the nats-servers.
 */

process.chdir(fileURLToPath(new URL('..', import.meta.url)))
const config = loadConfigOrExit(() =>
  loadConfig({
    DATA_DIR: z.string().min(1).default('./.data'),
    /** Client ports of the three nats-servers: this one and the next two; their routes' and monitoring's likewise. */
    CLUSTER_NATS_PORT: Port.default(4231),
    CLUSTER_ROUTE_PORT: Port.default(6231),
    /** 0 turns monitoring off. */
    CLUSTER_MONITOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8231),
    /** The two command-services listen on this port and the next, the two query-services likewise. */
    CLUSTER_COMMAND_PORT: Port.default(8181),
    CLUSTER_QUERY_PORT: Port.default(8281),
    /**
     * Projector processes. 1 until projector failover lands: two today would split each durable consumer's
     * messages between them, and each would fold only part of the log.
     */
    CLUSTER_PROJECTORS: z.coerce.number().int().min(1).max(2).default(1),
  }),
)
const replicas = 3
const clusterDir = join(config.DATA_DIR, 'cluster')
const passwords = (() => {
  try {
    return natsPasswords(clusterDir)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    return process.exit(2)
  }
})()

const nodes = clusterNodes(clusterDir, 3, {
  client: config.CLUSTER_NATS_PORT,
  route: config.CLUSTER_ROUTE_PORT,
  monitor: config.CLUSTER_MONITOR_PORT,
})
const natsUrl = nodes.map((node) => `nats://127.0.0.1:${node.clientPort}`).join(',')
const instances = clusterInstances(
  { command: config.CLUSTER_COMMAND_PORT, query: config.CLUSTER_QUERY_PORT },
  config.CLUSTER_PROJECTORS,
)

const servers: Supervised[] = []
const running: Supervised[] = []
let stoppingSince: number | undefined

const shutdown = async (code: number) => {
  if (stoppingSince !== undefined) return
  stoppingSince = Date.now()
  say('stopping the services')
  await Promise.all(running.map((service) => stop(service)))
  const rest = children.filter((child) => isRunning(child))
  if (rest.length > 0) say(`stopping ${rest.map((child) => child.name).join(', ')}`)
  await Promise.all(rest.map((child) => stop(child)))
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stoppingSince === undefined) return void shutdown(0)
    // npm forwards the terminal's SIGINT, so one Ctrl-C arrives twice: only a later one means "do not wait".
    if (Date.now() - stoppingSince < 1_000) return
    say('killing everything')
    process.exit(130)
  })
}
process.on('exit', () => {
  for (const child of children) if (isRunning(child)) child.child.kill('SIGKILL')
})

/** Reports a process that ended by itself; the launcher ends only once nothing is left running. */
const watch = (child: Supervised, consequence: string) => {
  void child.exited.then(() => {
    if (stoppingSince !== undefined) return
    say(`${child.name} exited (${howItEnded(child)}); ${consequence}`)
    if (!children.some((child) => isRunning(child))) void shutdown(1)
  })
}

/** Awaited by start-up once shutdown has begun: it never settles, shutdown() ends the process. */
const shuttingDown = new Promise<never>(() => {})

const binary = await natsServerBinary()
if (binary === undefined) process.exit(1)
writeNodeConfigs(nodes, 'nats-server.conf')
try {
  servers.push(...(await Promise.all(nodes.map((node, index) => startNode(binary, node, passwords, index)))))
} catch (error) {
  if (stoppingSince === undefined) {
    console.error(error instanceof Error ? error.message : error)
    await shutdown(1)
  }
}
// A signal while the nats-servers started: start nothing more, shutdown() ends the process.
if (stoppingSince !== undefined) await shuttingDown
for (const server of servers) {
  watch(server, 'the cluster goes on while two of three nats-servers run (restart it with npm run cluster)')
}
// Streams and buckets need a JetStream meta leader: elected once a majority of the nodes see each other.
{
  const logger = pino({ level: 'silent' })
  const login = { url: natsUrl, user: 'operator', password: passwords.operator }
  const nc = await connectNats(login, { name: 'jetnotes-cluster', logger, waitForServer: false })
  await waitForJetStream(nc, 30_000).catch(async (error: unknown) => {
    say(error instanceof Error ? error.message : String(error))
    await shutdown(1)
  })
  await nc.close()
}
if (stoppingSince !== undefined) await shuttingDown
say(`JetStream cluster ${nodes.map((node) => node.name).join(', ')} is up, data in ${clusterDir}`)
writeOperatorEnv(clusterDir, natsUrl, passwords.operator)
// The projection commands read it: a new generation's buckets get as many replicas as the rest.
appendFileSync(operatorEnvFile(clusterDir), `STREAM_REPLICAS=${replicas}\n`)

// No service sees another's password (nor the operator's): each gets its own user below.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !natsUsers.some((user) => passwordVariableOf(user) === key)),
)
for (const [index, instance] of instances.entries()) {
  const started = supervise(instance.name, process.execPath, ['--import', 'tsx', instance.entry], {
    env: {
      ...env,
      NATS_URL: natsUrl,
      NATS_USER: instance.natsUser,
      NATS_PASSWORD: passwords[instance.natsUser],
      STREAM_REPLICAS: String(replicas),
      ...(instance.http === undefined ? {} : { [instance.http.variable]: String(instance.http.port) }),
    },
    ipc: true,
    index: nodes.length + index,
  })
  running.push(started)
  watch(started, 'the other instances go on serving')
}

/** Waits until the HTTP service answers /healthz, up to a minute. */
const answers = async (port: number) => {
  for (let attempt = 0; attempt < 600 && stoppingSince === undefined; attempt += 1) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    )
    if (ok) return true
    await sleep(100)
  }
  return false
}
const http = instances.flatMap((instance) => (instance.http === undefined ? [] : [instance.http.port]))
await Promise.all(http.map((port) => answers(port)))
if (stoppingSince === undefined) {
  const urls = (prefix: string) =>
    instances
      .filter((instance) => instance.name.startsWith(prefix))
      .map((instance) => `http://127.0.0.1:${instance.http?.port}`)
      .join(', ')
  const lines = [
    'the cluster is up:',
    ...nodes.map((node) => {
      const monitoring = node.monitorPort === 0 ? '' : `, monitoring http://127.0.0.1:${node.monitorPort}`
      return `  nats ${node.name}: nats://127.0.0.1:${node.clientPort} (routes ${node.routePort}${monitoring})`
    }),
    `  command-services: ${urls('command-')}`,
    `  query-services:   ${urls('query-')}`,
    `  projectors:       ${config.CLUSTER_PROJECTORS}${config.CLUSTER_PROJECTORS === 1 ? ' (CLUSTER_PROJECTORS=2 starts a second)' : ''}`,
    `  streams and buckets: ${replicas} replicas; the operator's login: ${operatorEnvFile(clusterDir)}`,
    'Ctrl-C stops all',
  ]
  for (const line of lines) say(line)
}
