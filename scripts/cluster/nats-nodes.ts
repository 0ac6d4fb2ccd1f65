import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { generatePassword, type NatsUser, passwordVariables } from '@jetnotes/platform'
import { type Supervised, supervise } from '../start/processes.ts'

/** One nats-server of `npm run cluster`: its name and where it listens, all on 127.0.0.1. */
export type ClusterNode = {
  /** Its `server_name` (n1, n2, n3), as JetStream names a stream's leader and replicas. */
  name: string
  clientPort: number
  routePort: number
  /** Monitoring (no login needed, loopback only); 0: off. */
  monitorPort: number
  /** `-sd`: JetStream keeps its files in its `jetstream` subdirectory. */
  storeDir: string
  /** The node's configuration file: the repo's nats-server.conf plus its cluster block (0600: it holds the route login). */
  configFile: string
}

export const clusterName = 'jetnotes'

/** The nodes of a cluster of `count` under `clusterDir`: consecutive ports from each base port. */
export const clusterNodes = (
  clusterDir: string,
  count: number,
  ports: { client: number; route: number; monitor: number },
): ClusterNode[] =>
  Array.from({ length: count }, (_, index) => {
    const name = `n${index + 1}`
    return {
      name,
      clientPort: ports.client + index,
      routePort: ports.route + index,
      monitorPort: ports.monitor === 0 ? 0 : ports.monitor + index,
      storeDir: join(clusterDir, name),
      configFile: join(clusterDir, `${name}.conf`),
    }
  })

/**
 * Writes every node's configuration: the repo's nats-server.conf (users, permissions, limits) included, then
 * its name and a cluster block routed to every node (a node ignores the route to itself). Routes log in with a
 * password generated for this run: every node gets its configuration anew at each start. It is kept in the
 * files (0600) rather than on the command line, where any local user could read it.
 */
export const writeNodeConfigs = (nodes: readonly ClusterNode[], repoConfig: string) => {
  const login = `route:${generatePassword()}`
  const routes = nodes.map((node) => `    "nats://${login}@127.0.0.1:${node.routePort}"`)
  for (const node of nodes) {
    mkdirSync(node.storeDir, { recursive: true })
    // nats-server resolves an include relative to the including file (and no absolute path).
    const include = relative(dirname(resolve(node.configFile)), resolve(repoConfig))
    const text = [
      `# Written by npm run cluster at each start; edit nats-server.conf (included) instead.`,
      `include "${include}"`,
      `server_name: ${node.name}`,
      'cluster {',
      `  name: ${clusterName}`,
      `  listen: 127.0.0.1:${node.routePort}`,
      `  authorization { user: route, password: "${login.slice('route:'.length)}" }`,
      '  routes: [',
      ...routes,
      '  ]',
      '}',
      '',
    ].join('\n')
    writeFileSync(node.configFile, text, { mode: 0o600 })
  }
}

const readyTimeoutMs = 15_000

/**
 * Starts one node and resolves once it accepts clients. Its passwords come from its environment (nats-auth.conf).
 * Rejects (and kills it) if it exits or is not ready in time.
 */
export const startNode = async (
  binary: string,
  node: ClusterNode,
  passwords: Record<NatsUser, string>,
  index: number,
): Promise<Supervised> => {
  const monitor = node.monitorPort === 0 ? [] : ['-m', String(node.monitorPort)]
  const args = ['-c', node.configFile, '-a', '127.0.0.1', '-p', String(node.clientPort), ...monitor]
  let markReady = () => {}
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })
  const server = supervise(`nats-${node.name}`, binary, [...args, '-sd', node.storeDir], {
    index,
    env: { ...process.env, ...passwordVariables(passwords) },
    onLine: (line) => {
      if (line.includes('Server is ready')) markReady()
    },
  })
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      ready,
      server.exited.then((code) => Promise.reject(new Error(`nats-${node.name} exited with code ${code}`))),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`nats-${node.name} was not ready within ${readyTimeoutMs / 1000} s`)),
          readyTimeoutMs,
        )
      }),
    ])
    return server
  } catch (error) {
    server.child.kill('SIGKILL')
    const log = server.recent.slice(-5).map((line) => `  ${line}`)
    const message = error instanceof Error ? error.message : String(error)
    throw new Error([message, 'Its last lines:', ...log].join('\n'), { cause: error })
  } finally {
    clearTimeout(timer)
  }
}
