import { execFileSync, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, release, totalmem, type } from 'node:os'
import { dirname, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { findNatsServer, freePort, startNatsServer } from '@jetnotes/testing'
import { isRunning, type Supervised, stop, supervise } from '../../scripts/start/processes.ts'
import { services } from '../../scripts/start/services.ts'
import type { Target } from './load-context.ts'
import { waitUntilReady } from './ports.ts'
import { formatTable, type Row } from './report.ts'

/**
 * `npm run bench [-- --quick] [--out FILE] [--profile] [--only write-alone,read,history,rebuild,lag,live,bystander,list,big-user]`: starts a nats-server (temp dir, the repo's configuration) and the
 * services as `npm start` runs them, forks the load generator, and prints one table of jetnotes against the
 * ceiling of this machine measured in the same run. Writes the rows to bench/results.json (quick runs to
 * bench/results/quick.json, which git ignores).
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
process.chdir(repoRoot)
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
})
// --profile: every service and the load generator write a V8 CPU profile (open it in Chrome DevTools or speedscope) when it stops.
const profileDir = 'bench/results/profiles'
const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
const quick = values.quick ?? false
const out = values.out ?? (quick ? 'bench/results/quick.json' : 'bench/results.json')

/** Peak resident memory of a process so far, in MB (Linux: VmHWM), or null where that cannot be read. */
const peakRssMb = (pid: number | undefined) => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? null : Math.round(Number(match[1]) / 1024)
  } catch {
    return null
  }
}

const machine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGB: Math.round(totalmem() / 1024 ** 3),
  os: `${type()} ${release()}`,
  node: process.version,
  natsServer: execFileSync(findNatsServer(), ['--version'], { encoding: 'utf8' }).trim(),
  date: new Date().toISOString(),
  quick,
})

await using nats = await startNatsServer({ configFile: 'nats-server.conf' })
const commandPort = await freePort()
const queryPort = await freePort()
const env = {
  ...process.env,
  COMMAND_PORT: String(commandPort),
  QUERY_PORT: String(queryPort),
  PROJECTOR_PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  // The load comes from one address with few users, far beyond any team's: the limits stay on (their cost is
  // measured) but out of the way.
  RATE_LIMIT_PER_USER: '100000000',
  RATE_LIMIT_PER_ADDRESS: '100000000',
}
// The query-service runs with its inspector open on a free local port: the live fan-out path reads its memory
// after a full GC through it (bench/src/remote-memory.ts), with no code of the service's changed for it.
let queryInspector: string | undefined
const running: Supervised[] = services.map((service, index) => {
  const inspect = service.name === 'query' ? ['--inspect=127.0.0.1:0'] : []
  return supervise(
    service.name,
    process.execPath,
    [...profiling, ...inspect, '--import', 'tsx', service.entry],
    {
      env: { ...env, ...nats.loginEnv(service.natsUser) },
      ipc: true,
      index,
      onLine: (line) => {
        const listening = /Debugger listening on (ws:\/\/\S+)/.exec(line)
        if (service.name === 'query' && listening !== null) queryInspector = listening[1]
      },
    },
  )
})
try {
  const commandUrl = `http://127.0.0.1:${commandPort}`
  const queryUrl = `http://127.0.0.1:${queryPort}`
  await waitUntilReady(commandUrl)
  await waitUntilReady(queryUrl)
  const target: Target = {
    commandUrl,
    queryUrl,
    nats: nats.settings('operator'),
    quick,
    // Printed at start-up, long before the service is ready.
    ...(queryInspector === undefined ? {} : { queryInspector }),
    profiling,
    ...(values.only === undefined ? {} : { only: values.only.split(',') }),
  }

  const load = fork(fileURLToPath(new URL('./load.ts', import.meta.url)), [], {
    // The rebuild path runs in the load process, so --profile covers it too.
    execArgv: [...profiling, '--import', 'tsx'],
    env: { ...process.env, BENCH_TARGET: JSON.stringify(target) },
  })
  const rows = await new Promise<Row[]>((resolve, reject) => {
    load.once('message', (message) => resolve((message as { rows: Row[] }).rows))
    load.once('exit', (code) => reject(new Error(`the load generator exited (${code}) before reporting`)))
  })
  for (const service of running) {
    rows.push({
      path: `memory: ${service.name}`,
      jetnotes: peakRssMb(service.child.pid),
      ceiling: null,
      ratio: null,
      target: 'reported',
      met: null,
      unit: 'MB peak RSS',
      detail: 'VmHWM of the service process over the whole run',
    })
  }
  const results = { machine: machine(), rows }
  console.log(`\n${formatTable(rows)}\n`)
  // Relative to the repository (the process runs there); an absolute path is taken as it is.
  const outPath = resolvePath(repoRoot, out)
  await mkdir(dirname(outPath), { recursive: true })
  await writeFile(outPath, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`written to ${out}`)
} finally {
  await Promise.all(running.filter(isRunning).map((service) => stop(service)))
}
