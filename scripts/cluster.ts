import { join } from 'node:path'
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
import { clusterInstances, type Instance } from './cluster/instances.ts'
import { clusterNodes, startNode, writeNodeConfigs } from './cluster/nats-nodes.ts'
import { answersHealth, projectionsLive } from './cluster/readiness.ts'
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

/**
 * Reports a process that ended by itself and what that leaves (`consequence` is told the processes of its
 * kind still running); nothing restarts it. The launcher ends only once nothing is left running.
 */
const watch = (child: Supervised, kind: readonly Supervised[], consequence: (left: number) => string) => {
  void child.exited.then(() => {
    if (stoppingSince !== undefined) return
    const left = kind.filter((other) => isRunning(other)).length
    say(`${child.name} exited (${howItEnded(child)}); ${consequence(left)}`)
    if (!children.some((other) => isRunning(other))) void shutdown(1)
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
  watch(server, servers, (left) =>
    left >= 2
      ? `${left} of ${servers.length} nats-servers run: a majority, the cluster goes on`
      : `${left} of ${servers.length} nats-servers run: no majority, writes fail (503) until another is back, reads answer what the views hold`,
  )
}
// Streams and buckets need a JetStream meta leader: elected once a majority of the nodes see each other.
const operator = await connectNats(
  { url: natsUrl, user: 'operator', password: passwords.operator },
  { name: 'jetnotes-cluster', logger: pino({ level: 'silent' }), waitForServer: false },
)
await waitForJetStream(operator, 30_000).catch(async (error: unknown) => {
  say(error instanceof Error ? error.message : String(error))
  await shutdown(1)
})
if (stoppingSince !== undefined) await shuttingDown
say(`JetStream cluster ${nodes.map((node) => node.name).join(', ')} is up, data in ${clusterDir}`)
writeOperatorEnv(clusterDir, natsUrl, passwords.operator)

// No service sees another's password (nor the operator's): each gets its own user below.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !natsUsers.some((user) => passwordVariableOf(user) === key)),
)
/** Each service's processes, to say what is left when one dies. */
const byUser = new Map<Instance['natsUser'], Supervised[]>()
const start = (instance: Instance) => {
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
    index: nodes.length + instances.indexOf(instance),
  })
  running.push(started)
  const kind = byUser.get(instance.natsUser) ?? []
  byUser.set(instance.natsUser, kind)
  kind.push(started)
  watch(started, kind, (left) => {
    if (left > 0) return `${left} other ${instance.natsUser} process(es) go on`
    return instance.natsUser === 'projector'
      ? 'no projector runs: the views stay as they are (reads with a Consistency-Token wait, then 503)'
      : `no ${instance.natsUser} runs`
  })
}
const stopping = () => stoppingSince !== undefined
const healthy = (of: Instance[]) =>
  Promise.all(
    of.map((instance) => (instance.http ? answersHealth(instance.http.port, 60_000, stopping) : true)),
  )

// In stages, so that on a fresh cluster each creates its streams and buckets without the others' requests
// queueing behind them: the command-services (the event log), the projectors (the read models), then the
// query-services, which read both.
const ofUser = (user: Instance['natsUser']) => instances.filter((instance) => instance.natsUser === user)
for (const instance of ofUser('command-service')) start(instance)
await healthy(ofUser('command-service'))
for (const instance of ofUser('projector')) start(instance)
if (!(await projectionsLive(operator, 60_000, stopping)) && !stopping()) {
  say('the projections have no live generation after a minute; starting the query-services anyway')
}
await operator.close()
for (const instance of ofUser('query-service')) start(instance)
await healthy(ofUser('query-service'))
if (stoppingSince === undefined) {
  const urls = (user: Instance['natsUser']) =>
    ofUser(user)
      .map((instance) => `http://127.0.0.1:${instance.http?.port}`)
      .join(', ')
  const lines = [
    'the cluster is up:',
    ...nodes.map((node) => {
      const monitoring = node.monitorPort === 0 ? '' : `, monitoring http://127.0.0.1:${node.monitorPort}`
      return `  nats ${node.name}: nats://127.0.0.1:${node.clientPort} (routes ${node.routePort}${monitoring})`
    }),
    `  command-services: ${urls('command-service')}`,
    `  query-services:   ${urls('query-service')}`,
    `  projectors:       ${config.CLUSTER_PROJECTORS}${config.CLUSTER_PROJECTORS === 1 ? ' (CLUSTER_PROJECTORS=2 starts a second)' : ''}`,
    `  streams and buckets: ${replicas} replicas; the operator's login: ${operatorEnvFile(clusterDir)}`,
    'Ctrl-C stops all',
  ]
  for (const line of lines) say(line)
}
