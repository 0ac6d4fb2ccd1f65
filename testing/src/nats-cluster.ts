import type { ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  connectNats,
  generatePassword,
  type NatsUser,
  waitForJetStream as waitForMetaLeader,
} from '@jetnotes/platform'
import { jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { freePorts } from './free-ports.ts'
import {
  authConfig,
  endProcess,
  freshPasswords,
  makeStoreDir,
  type NatsServerHandle,
  removeStoreDir,
  spawnNatsServer,
} from './nats-server.ts'

/** One nats-server of a test cluster: where it listens, and how to crash, stop and start it again. */
export type NatsNode = {
  /** Its `server_name`, as JetStream names a stream's leader and replicas: `n1`, `n2`, `n3`. */
  name: string
  /** `nats://127.0.0.1:<port>`, this node alone. */
  url: string
  port: number
  /** Where the other nodes route to it. */
  clusterPort: number
  storeDir: string
  /** The running process's id (undefined while the node is down), for a test that pauses it (SIGSTOP). */
  readonly pid: number | undefined
  isRunning: () => boolean
  /** Stops the node gracefully (SIGTERM) and waits for it to exit. */
  stop: () => Promise<void>
  /** Ends the node with a signal (default SIGKILL: a crash) and waits for it to exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>
  /** Stops the node if it runs, then starts it again on the same ports and store directory, routed to the others. */
  restart: () => Promise<void>
}

/**
 * A JetStream cluster started for a test. It is a NatsServerHandle (`url` names every node, so a client or a
 * service fails over between them; `stop`, `kill` and `restart` act on every node), plus its nodes one by one.
 */
export type NatsClusterHandle = NatsServerHandle & {
  nodes: readonly NatsNode[]
  /** The node leading a stream's replicas (where its writes go); a KV bucket's stream is `KV_<bucket>`. */
  streamLeader: (stream: string) => Promise<NatsNode>
  /** Resolves once the cluster has a JetStream meta leader, i.e. accepts JetStream API calls (streams, buckets). */
  waitForJetStream: (timeoutMs?: number) => Promise<void>
  /**
   * Resolves once every stream (buckets included) has a leader and every replica is current: a node started
   * again has caught up, so killing another one next leaves a majority that holds every write.
   */
  waitUntilReplicated: (timeoutMs?: number) => Promise<void>
}

export type NatsClusterOptions = {
  /** How many nats-servers (default 3: a majority survives losing one). */
  nodes?: number
}

const clusterName = 'jetnotes-test'
const metaLeaderTimeoutMs = 20_000

/**
 * Starts a JetStream cluster on 127.0.0.1: each node its own random client and route ports, store directory
 * and server name, every node routed to every other, and the users and permissions of nats-auth.conf with
 * fresh random passwords (the same on every node). Routes log in with a password of their own. Resolves once
 * the cluster has a JetStream meta leader. Use it with `await using` so it is always torn down.
 */
export const startNatsCluster = async (options: NatsClusterOptions = {}): Promise<NatsClusterHandle> => {
  const count = options.nodes ?? 3
  const root = await makeStoreDir()
  try {
    return await startNodes(root, count)
  } catch (error) {
    await removeStoreDir(root)
    throw error
  }
}

const startNodes = async (root: string, count: number): Promise<NatsClusterHandle> => {
  const passwords = freshPasswords()
  const routeLogin = `route:${generatePassword()}`
  const clusterPorts = await freePorts(count)
  const routeUrl = (port: number) => `nats://${routeLogin}@127.0.0.1:${port}`
  const nodes = clusterPorts.map((clusterPort, index) => {
    const name = `n${index + 1}`
    const storeDir = join(root, name)
    let child: ChildProcess | undefined
    let port = -1
    const launch = async () => {
      await mkdir(storeDir, { recursive: true })
      const routes = clusterPorts.filter((other) => other !== clusterPort).map(routeUrl)
      const args = [
        ...['-c', authConfig, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
        ...['--server_name', name, '--cluster_name', clusterName, '--cluster', routeUrl(clusterPort)],
        ...['--routes', routes.join(',')],
      ]
      const started = await spawnNatsServer(args, passwords)
      child = started.child
      port = started.port
    }
    const signal = async (name: NodeJS.Signals) => {
      if (child === undefined) return
      const target = child
      child = undefined
      await endProcess(target, name)
    }
    const node = {
      name,
      get url() {
        return `nats://127.0.0.1:${port}`
      },
      get port() {
        return port
      },
      clusterPort,
      storeDir,
      get pid() {
        return child?.pid
      },
      isRunning: () => child !== undefined && child.exitCode === null && child.signalCode === null,
      kill: (name: NodeJS.Signals = 'SIGKILL') => signal(name),
      restart: async () => {
        await signal('SIGTERM')
        await launch()
      },
      stop: () => signal('SIGTERM'),
      launch,
    }
    return node
  })
  // A node that failed to start must not outlive the others.
  const started = await Promise.allSettled(nodes.map((node) => node.launch()))
  const failed = started.find((result) => result.status === 'rejected')
  if (failed !== undefined) {
    await Promise.all(nodes.map((node) => node.stop()))
    throw failed.reason
  }

  const url = nodes.map((node) => node.url).join(',')
  const settings = (user: NatsUser) => ({ url, user, password: passwords[user] })
  const connect: NatsServerHandle['connect'] = (
    user,
    { name = user, logger = pino({ level: 'silent' }) } = {},
  ) => connectNats(settings(user), { name, logger })
  const waitForJetStream = async (timeoutMs = metaLeaderTimeoutMs) => {
    await using nc = await connect('operator', { name: 'cluster-harness' })
    await waitForMetaLeader(nc, timeoutMs)
  }
  const waitUntilReplicated = async (timeoutMs = metaLeaderTimeoutMs) => {
    await using nc = await connect('operator', { name: 'cluster-harness' })
    await waitForMetaLeader(nc, timeoutMs)
    const jsm = await jetstreamManager(nc)
    const deadline = Date.now() + timeoutMs
    let lagging: string[] = []
    while (Date.now() < deadline) {
      lagging = []
      try {
        for await (const { config, cluster } of jsm.streams.list()) {
          const replicas = cluster?.replicas ?? []
          const behind = replicas.filter((replica) => !replica.current || replica.offline)
          const complete = replicas.length + 1 === config.num_replicas
          if (cluster?.leader === undefined || !complete || behind.length > 0) lagging.push(config.name)
        }
        if (lagging.length === 0) return
      } catch {
        lagging = ['(listing the streams failed)']
      }
      await sleep(100)
    }
    throw new Error(`streams not fully replicated within ${timeoutMs / 1000} s: ${lagging.join(', ')}`)
  }
  const handle: NatsClusterHandle = {
    url,
    port: nodes[0]?.port ?? -1,
    // No one process is the cluster: a test pausing one signals a node's (see `nodes`).
    pid: undefined,
    storeDir: root,
    settings,
    loginEnv: (user) => ({ NATS_URL: url, NATS_USER: user, NATS_PASSWORD: passwords[user] }),
    connect,
    nodes,
    streamLeader: async (stream) => {
      await using nc = await connect('operator', { name: 'cluster-harness' })
      const jsm = await jetstreamManager(nc)
      const leader = (await jsm.streams.info(stream)).cluster?.leader
      const node = nodes.find((candidate) => candidate.name === leader)
      if (node === undefined) throw new Error(`stream ${stream} has no leader (${leader ?? 'none'})`)
      return node
    },
    waitForJetStream,
    waitUntilReplicated,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()))
    },
    kill: async (signal = 'SIGKILL') => {
      await Promise.all(nodes.map((node) => node.kill(signal)))
    },
    restart: async () => {
      await Promise.all(nodes.map((node) => node.stop()))
      await Promise.all(nodes.map((node) => node.launch()))
      await waitForJetStream()
    },
    [Symbol.asyncDispose]: async () => {
      await Promise.all(nodes.map((node) => node.stop()))
      await removeStoreDir(root)
    },
  }
  try {
    await waitForJetStream()
  } catch (error) {
    await handle.stop()
    throw error
  }
  return handle
}
