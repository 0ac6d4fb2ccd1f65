import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEnv } from 'node:util'
import { connectNats } from '@jetnotes/platform'
import { streams } from '@jetnotes/schemas'
import { httpClient, type Reply, registerUser } from '@jetnotes/testing'
import { jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../..', import.meta.url))

/** Resolves with the launcher's output once it prints `line`; rejects if it exits first or takes too long. */
const waitFor = (child: ChildProcess, output: { text: string }, line: string, timeoutMs: number) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${line}" within ${timeoutMs} ms:\n${output.text}`)),
      timeoutMs,
    )
    const check = () => {
      if (!output.text.includes(line)) return
      clearTimeout(timer)
      resolve()
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => reject(new Error(`npm run cluster exited with ${code}:\n${output.text}`)))
    check()
  })

describe('npm run cluster', () => {
  it('serves a write made on one command-service from the other query-service, R3, restarts what is SIGKILLed, and stops on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jetnotes-cluster-e2e-'))
    // Consecutive ports from a random base: 3 nats clients, 3 routes, 2 + 2 HTTP services, 2 projectors.
    const base = 20_000 + Math.floor(Math.random() * 400) * 100
    const ports = { nats: base, route: base + 10, command: base + 20, query: base + 30, projector: base + 40 }
    const launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], {
      cwd: repo,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        CLUSTER_NATS_PORT: String(ports.nats),
        CLUSTER_ROUTE_PORT: String(ports.route),
        CLUSTER_MONITOR_PORT: '0',
        CLUSTER_COMMAND_PORT: String(ports.command),
        CLUSTER_QUERY_PORT: String(ports.query),
        CLUSTER_PROJECTOR_PORT: String(ports.projector),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output = { text: '' }
    for (const stream of [launcher.stdout, launcher.stderr])
      stream?.on('data', (chunk) => (output.text += chunk))
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve))
    try {
      await waitFor(launcher, output, 'Ctrl-C stops all', 90_000)
      expect(output.text).toContain(
        `command-services: http://127.0.0.1:${ports.command}, http://127.0.0.1:${ports.command + 1}`,
      )
      expect(output.text).toContain(
        `query-services:   http://127.0.0.1:${ports.query}, http://127.0.0.1:${ports.query + 1}`,
      )
      expect(output.text).toContain('projectors:       2')
      expect(output.text).toContain(
        `metrics at http://127.0.0.1:${ports.projector}/metrics, http://127.0.0.1:${ports.projector + 1}/metrics`,
      )
      expect((await fetch(`http://127.0.0.1:${ports.projector}/metrics`)).status).toBe(200)

      const commands = httpClient(`http://127.0.0.1:${ports.command + 1}`)
      const queries = httpClient(`http://127.0.0.1:${ports.query + 1}`)
      const user = await registerUser(commands)
      const created = await commands.post(
        '/notes',
        { title: 'On the cluster', body: '' },
        { token: user.token },
      )
      expect(created.status).toBe(201)
      const token = created.headers.get('consistency-token') ?? ''
      const read = await queries.get(`/notes/${created.body.id}`, {
        token: user.token,
        headers: { 'consistency-token': token },
      })
      expect(read.status).toBe(200)
      expect(read.body.title).toBe('On the cluster')

      // Every stream and bucket has 3 replicas, seen with the operator's login the launcher wrote.
      const login = parseEnv(readFileSync(join(dataDir, 'cluster', 'operator.env'), 'utf8'))
      const nc = await connectNats(
        { url: login.NATS_URL ?? '', user: login.NATS_USER, password: login.NATS_PASSWORD },
        { name: 'cluster-e2e', logger: pino({ level: 'silent' }), waitForServer: false },
      )
      try {
        const jsm = await jetstreamManager(nc)
        const replicas = new Map<string, number>()
        for await (const info of jsm.streams.list()) replicas.set(info.config.name, info.config.num_replicas)
        expect(replicas.get(streams.notes.name)).toBe(3)
        expect(replicas.size).toBeGreaterThanOrEqual(10)
        expect([...replicas.values()].every((count) => count === 3)).toBe(true)
      } finally {
        await nc.close()
      }

      // A SIGKILLed service and a SIGKILLed nats-server are started again, each with a new pid in its pid file.
      const runDir = join(dataDir, 'cluster', 'run')
      const pidOf = (name: string) => Number(readFileSync(join(runDir, `${name}.pid`), 'utf8').trim())
      const killed = { command: pidOf('command-1'), nats: pidOf('nats-n2') }
      process.kill(killed.command, 'SIGKILL')
      process.kill(killed.nats, 'SIGKILL')
      await waitFor(launcher, output, 'command-1 is running again', 30_000)
      await waitFor(launcher, output, 'nats-n2 is running again', 30_000)
      expect(pidOf('command-1')).not.toBe(killed.command)
      expect(pidOf('nats-n2')).not.toBe(killed.nats)
      // The restarted command-service serves again: a write through it is read through a query-service.
      // Both may still be starting or reconnecting (no socket yet, 503 while NATS is away, a projector catching
      // up): 30 s for each to serve.
      const within30s = async (request: () => Promise<Reply>, status: number) => {
        const deadline = Date.now() + 30_000
        let reply: Reply = { status: 0, headers: new Headers(), body: {} }
        while (Date.now() < deadline) {
          reply = await request().catch(() => reply)
          if (reply.status === status) break
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
        return reply
      }
      const again = httpClient(`http://127.0.0.1:${ports.command}`)
      const second = await within30s(
        () => again.post('/notes', { title: 'After a crash', body: '' }, { token: user.token }),
        201,
      )
      expect(second.status).toBe(201)
      const readAgain = await within30s(
        () =>
          httpClient(`http://127.0.0.1:${ports.query}`).get(`/notes/${second.body.id}`, {
            token: user.token,
            headers: { 'consistency-token': second.headers.get('consistency-token') ?? '' },
          }),
        200,
      )
      expect(readAgain.status, JSON.stringify(readAgain.body)).toBe(200)

      launcher.kill('SIGINT')
      expect(await exited).toBe(0)
      // The nats-servers last, once the services are down (n2 comes last since its restart).
      expect(output.text).toMatch(/stopping the services[\s\S]*stopping nats-n1, nats-n3, nats-n2/)
    } finally {
      if (launcher.exitCode === null && launcher.signalCode === null) {
        launcher.kill('SIGINT')
        const timer = setTimeout(() => launcher.kill('SIGKILL'), 20_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
