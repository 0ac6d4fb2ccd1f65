import { eventsOf, reportInvalidMessagesTo } from '@jetnotes/platform'
import { noteAggregate } from '@jetnotes/schemas'
import { foldUsers, httpClient, projectionsBehind, readStream, viewDifferences } from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { type CheckResult, checkAckedWrites, checkLiveDeliveries, noteHistoryOf } from './checks.ts'
import { type InjectedFault, injectFaults } from './faults.ts'
import { Ledger } from './ledger.ts'
import { type LiveClient, type LiveClientStats, startLiveClient } from './live-clients.ts'
import { type SystemUnderSoak, startSingleNodeSystem } from './system-under-soak.ts'
import { registerUsers, runWorkload } from './workload.ts'

export type SoakOptions = {
  minutes: number
  seed: number
  users: number
  /** Live clients per user (each its own connection to /events). */
  liveClientsPerUser: number
  /** Requests in flight at once (each worker waits `pauseMs` on average between its requests). */
  workers: number
  pauseMs: number
  /** A fault about this often (0: none). */
  faultEveryMs: number
  /** Processes no fault hits (default: none). */
  spare?: readonly string[]
  /** A live client leaves and resumes about this often. */
  liveDwellMs: number
  /** Starts what is soaked (default: one nats-server and the services as child processes). */
  startSystem?: () => Promise<SystemUnderSoak>
  /** Progress lines (default: none). */
  say?: (line: string) => void
}

export const defaultSoakOptions = {
  users: 5,
  liveClientsPerUser: 2,
  workers: 3,
  pauseMs: 100,
  faultEveryMs: 12_000,
  liveDwellMs: 8_000,
} satisfies Partial<SoakOptions>

export type NamedCheck = CheckResult & { name: string }

export type SoakReport = {
  seed: number
  plannedMinutes: number
  workloadMs: number
  totalMs: number
  processes: readonly string[]
  /** The processes faults could hit. */
  targets: readonly string[]
  outcomes: Map<string, Map<string, number>>
  requests: number
  acked: number
  live: LiveClientStats & {
    clients: number
    received: number
    /** When every client had all it was owed, after the workload ended (undefined: not within the wait). */
    caughtUpMs: number | undefined
  }
  faults: InjectedFault[]
  exits: readonly { process: string; how: string; atMs: number }[]
  log: { notes: number; changes: number; users: number }
  checks: NamedCheck[]
  logDir: string
  passed: boolean
}

/** How long the live clients get, after the system has settled, to receive the changes they are owed. */
const liveCatchUpMs = 60_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs a soak: starts the system, registers users, connects live clients, then runs the random workload and
 * the random faults side by side for `minutes`. Then it lets the system settle (every process back, the
 * projections caught up, the live clients given time to receive the rest) and checks what the clients saw
 * against the log, read back as the operator.
 */
export const runSoak = async (options: SoakOptions): Promise<SoakReport> => {
  const say = options.say ?? (() => {})
  const began = Date.now()
  await using system = await (options.startSystem ?? startSingleNodeSystem)()
  say(`system up: ${system.processes.join(', ')}; logs in ${system.logDir}`)
  await system.settled(60_000)
  const commands = system.commandUrls.map((url) => httpClient(url))
  const queries = system.queryUrls.map((url) => httpClient(url))
  const ledger = new Ledger()
  const users = await registerUsers(commands[0] ?? httpClient(''), ledger, options.users, options.seed)

  const nc = await system.connectOperator()
  let clients: LiveClient[] = []
  try {
    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    const notesBefore = (await jsm.streams.info(noteAggregate.stream)).state.last_seq
    clients = users.flatMap((user, index) =>
      Array.from({ length: options.liveClientsPerUser }, (_, copy) =>
        startLiveClient(
          system.queryUrls,
          user,
          index * options.liveClientsPerUser + copy,
          options.seed,
          options.liveDwellMs,
        ),
      ),
    )
    await Promise.race([
      Promise.all(clients.map((client) => client.firstConnection)),
      sleep(30_000).then(() => Promise.reject(new Error('the live clients could not connect within 30 s'))),
    ])
    // The stream is attached just after its headers go out: give the last ones time to be.
    await sleep(500)

    const targets = [...system.processes, ...(system.roles ?? [])].filter(
      (name) => !options.spare?.includes(name),
    )
    const startedAt = Date.now()
    const until = startedAt + options.minutes * 60_000
    say(`workload and faults for ${options.minutes} min (seed ${options.seed})`)
    const [, faults] = await Promise.all([
      runWorkload({
        commands,
        queries,
        users,
        ledger,
        seed: options.seed,
        workers: options.workers,
        pauseMs: options.pauseMs,
        until,
      }),
      options.faultEveryMs > 0
        ? injectFaults({
            system,
            targets,
            seed: options.seed,
            startedAt,
            until,
            everyMs: options.faultEveryMs,
          })
        : Promise.resolve([]),
    ])
    const workloadEnded = Date.now()
    const workloadMs = workloadEnded - startedAt

    say('settling: every process up, the projections caught up')
    await system.settled(60_000)
    const sources = {
      js,
      jsm,
      logger: pino({ level: 'silent' }),
      projectionOptions: system.projectionOptions,
    }
    const settleBy = Date.now() + 60_000
    while ((await projectionsBehind(sources)).length > 0) {
      if (Date.now() > settleBy)
        throw new Error('the projections did not catch up within 60 s after the soak')
      await sleep(250)
    }

    const report = reportInvalidMessagesTo(pino({ level: 'warn' }, pino.destination(2)), 'soak')
    const messages = await readStream(js, noteAggregate.stream)
    const history = noteHistoryOf(
      messages.map((message) => ({ seq: message.seq, events: eventsOf(noteAggregate, message, report) })),
    )
    const registered = new Set((await foldUsers(js)).keys())
    const liveRecords = () =>
      clients.map((client) => ({
        ...client.record,
        received: client.receivedSoFar(),
        since: client.stats.freshStarts > 0 ? ('first-received' as const) : { seq: notesBefore },
      }))
    // The live clients may still be catching up (resuming after the last fault, or a live stream stalled
    // after a nats-server restart): give them time, not forever, and say how long they took.
    const liveBy = Date.now() + liveCatchUpMs
    let liveCaughtUpMs: number | undefined
    for (;;) {
      if (checkLiveDeliveries(liveRecords(), history).exactlyOnce.failures.length === 0) {
        liveCaughtUpMs = Date.now() - workloadEnded
        break
      }
      if (Date.now() > liveBy) break
      await sleep(250)
    }
    await Promise.all(clients.map((client) => client.stop()))
    const live = checkLiveDeliveries(liveRecords(), history)

    say('checking the views against a fold of the log')
    const views = await viewDifferences(sources)
    const checks: NamedCheck[] = [
      { name: 'every acked write is in the log', ...checkAckedWrites(ledger.acked, history, registered) },
      {
        name: 'every view equals a fold of the log',
        checked: views.notes + views.users,
        failures: views.differences,
      },
      { name: 'live: each allowed change exactly once', ...live.exactlyOnce },
      { name: 'live: nothing a user must not see', ...live.nothingForbidden },
    ]
    const stats = clients.map((client) => client.stats)
    const sum = (key: keyof LiveClientStats) => stats.reduce((total, stat) => total + stat[key], 0)
    return {
      seed: options.seed,
      plannedMinutes: options.minutes,
      workloadMs,
      totalMs: Date.now() - began,
      processes: system.processes,
      targets,
      outcomes: ledger.outcomes,
      requests: ledger.requests,
      acked: ledger.acked.length,
      live: {
        clients: clients.length,
        received: clients.reduce((total, client) => total + client.record.received.length, 0),
        connections: sum('connections'),
        resumes: sum('resumes'),
        dropped: sum('dropped'),
        refused: sum('refused'),
        freshStarts: sum('freshStarts'),
        caughtUpMs: liveCaughtUpMs,
      },
      faults,
      exits: system.exits.map((exit) => ({
        process: exit.process,
        how: exit.how,
        atMs: exit.at - startedAt,
      })),
      log: {
        notes: new Set(history.map((change) => change.event.aggregateId)).size,
        changes: history.length,
        users: registered.size,
      },
      checks,
      logDir: system.logDir,
      passed: checks.every((check) => check.failures.length === 0),
    }
  } finally {
    await Promise.all(clients.map((client) => client.stop()))
    await nc.close()
  }
}
