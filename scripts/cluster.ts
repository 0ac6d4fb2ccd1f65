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
import { type KeptRunning, keepRunning } from './start/keep-running.ts'
import { natsServerBinary } from './start/nats-server.ts'
import { pidFileOf } from './start/pid-files.ts'
import { isRunning, type Supervised, say, supervise } from './start/processes.ts'
import { launcherShutdown } from './start/shutdown.ts'

/**
 * `npm run cluster`: the system on a 3-node JetStream cluster, in the foreground. Three nats-servers on
 * 127.0.0.1 routed to each other (data in DATA_DIR/cluster), streams and buckets with 3 replicas, then two
 * command-services, two query-services and two projectors (one folds, one stands by). Every process is kept
 * running (`keepRunning`, as under `npm start`): one that dies is reported with what its death leaves and
 * started again with backoff, while the others go on; each one's pid is in $DATA_DIR/cluster/run/<name>.pid.
 * Ctrl-C or SIGTERM stops the services first, then the nats-servers.
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
    /** The projectors' metrics and health: on this port and the next ones; 0: none. */
    CLUSTER_PROJECTOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8381),
    /** Projector processes: one folds each projection, the others stand by to take over when it dies. */
    CLUSTER_PROJECTORS: z.coerce.number().int().min(1).max(9).default(2),
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
  {
    command: config.CLUSTER_COMMAND_PORT,
    query: config.CLUSTER_QUERY_PORT,
    projector: config.CLUSTER_PROJECTOR_PORT,
  },
  config.CLUSTER_PROJECTORS,
)

/** Every process kept running, by kind: to stop them in order and to say what is left when one dies. */
const servers: KeptRunning[] = []
const running: KeptRunning[] = []
const { shutdown, giveUp, stopping, shuttingDown } = launcherShutdown({
  services: running,
  servers: () => servers,
})

/**
 * Says what a process's death leaves while `keepRunning` restarts it (`consequence` is told how many of its
 * kind still run): it runs before the supervisor's own line, which says when the restart comes.
 */
const reportExit = (
  started: Supervised,
  kind: readonly KeptRunning[],
  consequence: (left: number) => string,
) => {
  void started.exited.then(() => {
    if (stopping()) return
    const left = kind.filter(({ current }) => current !== undefined && isRunning(current)).length
    say(`${started.name} is down: ${consequence(left)}`)
  })
  return started
}

const binary = await natsServerBinary()
if (binary === undefined) process.exit(1)
// Once: every restart of a node finds its configuration (ports, store directory, route login) unchanged.
writeNodeConfigs(nodes, 'nats-server.conf')
const majority = (left: number) =>
  left >= 2
    ? `${left} of ${nodes.length} nats-servers run: a majority, the cluster goes on`
    : `${left} of ${nodes.length} nats-servers run: no majority, writes fail (503) until another is back, reads answer what the views hold`
for (const [index, node] of nodes.entries()) {
  servers.push(
    keepRunning({
      name: `nats-${node.name}`,
      start: async () => reportExit(await startNode(binary, node, passwords, index), servers, majority),
      pidFile: pidFileOf(clusterDir, `nats-${node.name}`),
    }),
  )
}
try {
  await Promise.all(servers.map((server) => server.started))
} catch (error) {
  if (!stopping()) {
    console.error(error instanceof Error ? error.message : error)
    await shutdown(1)
  }
}
// A signal while the nats-servers started: start nothing more, shutdown() ends the process.
if (stopping()) await shuttingDown
// Streams and buckets need a JetStream meta leader: elected once a majority of the nodes see each other.
const operator = await connectNats(
  { url: natsUrl, user: 'operator', password: passwords.operator },
  { name: 'jetnotes-cluster', logger: pino({ level: 'silent' }), waitForServer: false },
)
await waitForJetStream(operator, 30_000).catch(async (error: unknown) => {
  say(error instanceof Error ? error.message : String(error))
  await shutdown(1)
})
if (stopping()) await shuttingDown
say(`JetStream cluster ${nodes.map((node) => node.name).join(', ')} is up, data in ${clusterDir}`)
writeOperatorEnv(clusterDir, natsUrl, passwords.operator)

// No service sees another's password (nor the operator's): each gets its own user below.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !natsUsers.some((user) => passwordVariableOf(user) === key)),
)
/** Each service's processes, to say what is left when one dies. */
const byUser = new Map<Instance['natsUser'], KeptRunning[]>()
const start = (instance: Instance) => {
  const kind = byUser.get(instance.natsUser) ?? []
  byUser.set(instance.natsUser, kind)
  const consequence = (left: number) => {
    if (left > 0) return `${left} other ${instance.natsUser} process(es) go on`
    return instance.natsUser === 'projector'
      ? 'no projector runs: the views stay as they are (reads with a Consistency-Token wait, then 503)'
      : `no ${instance.natsUser} runs`
  }
  const serviceEnv = {
    ...env,
    NATS_URL: natsUrl,
    NATS_USER: instance.natsUser,
    NATS_PASSWORD: passwords[instance.natsUser],
    STREAM_REPLICAS: String(replicas),
    // A projector without a port of its own serves none (the default port would clash between them).
    ...(instance.natsUser === 'projector' ? { PROJECTOR_PORT: '0' } : {}),
    ...(instance.http === undefined ? {} : { [instance.http.variable]: String(instance.http.port) }),
  }
  const index = nodes.length + instances.indexOf(instance)
  const kept = keepRunning({
    name: instance.name,
    start: () =>
      reportExit(
        supervise(instance.name, process.execPath, ['--import', 'tsx', instance.entry], {
          env: serviceEnv,
          ipc: true,
          index,
        }),
        kind,
        consequence,
      ),
    pidFile: pidFileOf(clusterDir, instance.name),
    // Exit code 2 is a configuration error (see runService): the same settings would fail the same way.
    fatalExitCodes: [2],
    onGiveUp: giveUp,
  })
  running.push(kept)
  kind.push(kept)
}
const healthy = (of: Instance[]) =>
  Promise.all(
    of.map((instance) => (instance.http ? answersHealth(instance.http.port, 60_000, stopping) : true)),
  )

// In stages, so that on a fresh cluster each creates its streams and buckets without the others' requests
// queueing behind them: the command-services (the event log), a projector (the read models), then the other
// projectors and the query-services, which read both.
const ofUser = (user: Instance['natsUser']) => instances.filter((instance) => instance.natsUser === user)
for (const instance of ofUser('command-service')) start(instance)
await healthy(ofUser('command-service'))
// The first projector alone: it creates the read models' buckets; the others then find them and stand by
// (started together on a fresh cluster, one's requests can time out behind the other's).
const [firstProjector, ...standbys] = ofUser('projector')
if (firstProjector !== undefined) start(firstProjector)
if (!(await projectionsLive(operator, 60_000, stopping)) && !stopping()) {
  say('the projections have no live generation after a minute; starting the query-services anyway')
}
for (const instance of standbys) start(instance)
await operator.close()
for (const instance of ofUser('query-service')) start(instance)
await healthy(ofUser('query-service'))
if (!stopping()) {
  const urls = (user: Instance['natsUser']) =>
    ofUser(user)
      .map((instance) => `http://127.0.0.1:${instance.http?.port}${user === 'projector' ? '/metrics' : ''}`)
      .join(', ')
  const lines = [
    'the cluster is up:',
    ...nodes.map((node) => {
      const monitoring = node.monitorPort === 0 ? '' : `, monitoring http://127.0.0.1:${node.monitorPort}`
      return `  nats ${node.name}: nats://127.0.0.1:${node.clientPort} (routes ${node.routePort}${monitoring})`
    }),
    `  command-services: ${urls('command-service')}`,
    `  query-services:   ${urls('query-service')}`,
    `  projectors:       ${config.CLUSTER_PROJECTORS} (one folds each projection, the others stand by)${
      config.CLUSTER_PROJECTOR_PORT === 0 ? '' : `, metrics at ${urls('projector')}`
    }`,
    `  every process is restarted when it dies; pids in ${pidFileOf(clusterDir, '*')}`,
    `  streams and buckets: ${replicas} replicas; the operator's login: ${operatorEnvFile(clusterDir)}`,
    'Ctrl-C stops all',
  ]
  for (const line of lines) say(line)
}
