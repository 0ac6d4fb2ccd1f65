import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { metaBucket, metaKeys, noteAggregate, type ProjectionLease, projectionNames } from '@jetnotes/schemas'
import { freePort, type NatsNode, startNatsCluster } from '@jetnotes/testing'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { projectionsLive } from '../../../scripts/cluster/readiness.ts'
import { services } from '../../../scripts/start/services.ts'
import { waitUntilReady } from '../ports.ts'
import { startServiceProcesses } from './service-processes.ts'
import { type SystemUnderSoak, soakServiceEnv } from './system-under-soak.ts'

/** Two of each service, as `npm run cluster` runs them. */
const instancesPerService = 2
const replicas = 3

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The system as `npm run cluster` runs it, with the soak as its supervisor: a 3-node JetStream cluster (the
 * shared test harness's `startNatsCluster`) with every stream and bucket on 3 replicas, and two processes of
 * each service (command-1/2, projector-1/2, query-1/2), each HTTP one on its own port. The workload spreads
 * over both instances of each service, the live clients over both query-services. Beside the processes
 * (nats-n1..3 and the services), faults may hit two roles, resolved when the fault comes: `notes-leader`, the
 * node leading the NOTES stream's replicas, and `active-projector`, the projector process holding the lease
 * of the first projection.
 */
export const startClusterSystem = async (): Promise<SystemUnderSoak> => {
  const cluster = await startNatsCluster({ nodes: 3 })
  const logDir = mkdtempSync(join(tmpdir(), 'jetnotes-soak-cluster-'))
  const processes = startServiceProcesses(logDir)
  try {
    const ports = await Promise.all(
      Array.from({ length: instancesPerService }, async () => ({
        command: await freePort(),
        query: await freePort(),
      })),
    )
    const commandUrls = ports.map((port) => `http://127.0.0.1:${port.command}`)
    const queryUrls = ports.map((port) => `http://127.0.0.1:${port.query}`)
    const launch = (name: string, which: readonly number[] = [...ports.keys()]) => {
      for (const index of which) {
        const port = ports[index] ?? { command: 0, query: 0 }
        const service = services.find((candidate) => candidate.name === name)
        if (service === undefined) throw new Error(`no service ${name}`)
        processes.launch({
          name: `${service.name}-${index + 1}`,
          entry: service.entry,
          env: {
            ...soakServiceEnv(port),
            ...cluster.loginEnv(service.natsUser),
            STREAM_REPLICAS: String(replicas),
          },
        })
      }
    }
    // In stages, as `npm run cluster` starts them: on a fresh cluster the command-services create the event
    // log's streams, the projectors the read models, then the query-services read both.
    launch('command')
    await Promise.all(commandUrls.map((url) => waitUntilReady(url, 60_000)))
    // One projector first: it creates the read models' buckets, the other then finds them and stands by.
    launch('projector', [0])
    {
      await using operator = await cluster.connect('operator', { name: 'soak-cluster-start' })
      if (!(await projectionsLive(operator, 60_000, () => false)))
        throw new Error('the projections had no live generation within 60 s')
    }
    launch('projector', [1])
    launch('query')

    const nodeNamed = (name: string): NatsNode | undefined =>
      cluster.nodes.find((node) => `nats-${node.name}` === name)
    const nodeNames = cluster.nodes.map((node) => `nats-${node.name}`)
    const pidOf = (name: string) => nodeNamed(name)?.pid ?? processes.pid(name)

    const system: SystemUnderSoak = {
      commandUrls,
      queryUrls,
      connectOperator: () => cluster.connect('operator', { name: 'soak-operator' }),
      projectionOptions: {},
      processes: [...nodeNames, ...processes.names()],
      roles: ['notes-leader', 'active-projector'],
      resolveRole: async (role) => {
        if (role === 'notes-leader') return `nats-${(await cluster.streamLeader(noteAggregate.stream)).name}`
        if (role !== 'active-projector') throw new Error(`no role ${role}`)
        await using operator = await cluster.connect('operator', { name: 'soak-faults' })
        const meta = await new Kvm(jetstream(operator)).open(metaBucket)
        const first = projectionNames[0]
        const entry = first === undefined ? null : await meta.get(metaKeys.lease(first))
        // The holder is `<host>:<pid>:<random>`.
        const pid =
          entry?.operation === 'PUT' ? Number(entry.json<ProjectionLease>().holder.split(':')[1]) : NaN
        const holder = processes.names().find((name) => processes.pid(name) === pid)
        if (holder === undefined) throw new Error('no projector holds the lease')
        return holder
      },
      kill: async (name, downMs) => {
        const node = nodeNamed(name)
        if (node === undefined) return processes.kill(name, downMs)
        await node.kill('SIGKILL')
        await sleep(downMs)
        await node.restart()
        // Back once it has caught up: a fault that comes next (another node) then leaves a majority that holds
        // every write, the one failure at a time a 3-node cluster is built to survive.
        await cluster.waitUntilReplicated(30_000).catch(() => {})
      },
      pause: async (name, pausedMs) => {
        const pid = pidOf(name)
        if (pid === undefined) throw new Error(`${name} is not running`)
        process.kill(pid, 'SIGSTOP')
        await sleep(pausedMs)
        process.kill(pid, 'SIGCONT')
      },
      settled: async (timeoutMs) => {
        await cluster.waitUntilReplicated(timeoutMs)
        await Promise.all([...commandUrls, ...queryUrls].map((url) => waitUntilReady(url, timeoutMs)))
      },
      exits: processes.exits,
      logDir,
      [Symbol.asyncDispose]: async () => {
        await processes.stopAll()
        for (const node of cluster.nodes) if (node.pid !== undefined) process.kill(node.pid, 'SIGCONT')
        await cluster[Symbol.asyncDispose]()
      },
    }
    return system
  } catch (error) {
    await processes.stopAll()
    await cluster[Symbol.asyncDispose]()
    throw error
  }
}
