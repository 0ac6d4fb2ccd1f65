import { parseArgs } from 'node:util'
import { startClusterSystem } from './cluster-under-soak.ts'
import { formatSoakReport } from './report.ts'
import { defaultSoakOptions, runSoak } from './run-soak.ts'

/**
 * `npm run soak -- --minutes N [--cluster] [--seed S] [--users U] [--fault-every SECONDS] [--spare nats-server,...]`:
 * a random workload with random faults against the system (one nats-server and one process of each service, or
 * with --cluster a 3-node JetStream cluster and two of each), then the checks; prints one screen and exits 1 if
 * a check failed.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seed: { type: 'string' },
    users: { type: 'string', default: String(defaultSoakOptions.users) },
    'fault-every': { type: 'string', default: String(defaultSoakOptions.faultEveryMs / 1000) },
    spare: { type: 'string', default: '' },
    cluster: { type: 'boolean', default: false },
  },
})
const number = (name: string, text: string | undefined, min: number) => {
  const value = Number(text)
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${name} must be a number of at least ${min} (got ${text})`)
    process.exit(2)
  }
  return value
}
const minutes = number('minutes', values.minutes, 0.05)
const seed =
  values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : number('seed', values.seed, 0)
const report = await runSoak({
  ...defaultSoakOptions,
  minutes,
  seed,
  users: number('users', values.users, 2),
  faultEveryMs: number('fault-every', values['fault-every'], 0) * 1000,
  spare: values.spare.split(',').filter((name) => name !== ''),
  ...(values.cluster ? { startSystem: startClusterSystem } : {}),
  say: (line) => console.log(`soak | ${line}`),
})
console.log(`\n${formatSoakReport(report)}`)
process.exit(report.passed ? 0 : 1)
