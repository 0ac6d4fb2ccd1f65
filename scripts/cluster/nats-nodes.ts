import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { generatePassword, type NatsUser } from '@jetnotes/platform'
import { startNatsProcess } from '../start/nats-server.ts'
import type { Supervised } from '../start/processes.ts'

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
    // The mode above applies only to a new file.
    chmodSync(node.configFile, 0o600)
  }
}

/**
 * Starts one node and resolves once it accepts clients. Its passwords come from its environment (nats-auth.conf).
 * Rejects (and kills it) if it exits or is not ready in time.
 */
export const startNode = (
  binary: string,
  node: ClusterNode,
  passwords: Record<NatsUser, string>,
  index: number,
): Promise<Supervised> => {
  const monitor = node.monitorPort === 0 ? [] : ['-m', String(node.monitorPort)]
  const args = ['-c', node.configFile, '-a', '127.0.0.1', '-p', String(node.clientPort), ...monitor]
  return startNatsProcess({
    name: `nats-${node.name}`,
    binary,
    args: [...args, '-sd', node.storeDir],
    passwords,
    index,
  })
}
