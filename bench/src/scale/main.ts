import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { connectNats } from '@jetnotes/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { httpClient } from '../http.ts'
import { sequential } from '../measure.ts'
import { untilProjected } from '../projection-caught-up.ts'
import { fullSizes } from '../sizes.ts'
import { generateNotes, generateUsers, type User, type Window } from './generate.ts'
import { directoryMb, nodeMemory } from './memory.ts'
import { projectionLag } from './projection-lag.ts'
import { startScaleSystem } from './scale-system.ts'

/**
 * `npm run bench:scale -- --notes 1000000 --users 100000 [--share-every 20] [--in-flight 64] [--out FILE]`:
 * starts nats-server and the services as `npm start` does, loads users and notes through the command-service's
 * HTTP API (nothing else writes to the log), then measures what one deployment holds: memory of every process,
 * disk, read and list latency, `npm run rebuild` of each projection, and the start-up of every process against
 * the loaded data. Progress every 10 s; the figures go to bench/results/scale-<notes>.json. See docs/scaling.md.
 */
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
process.chdir(repoRoot)
const { values } = parseArgs({
  options: {
    notes: { type: 'string', default: '100000' },
    users: { type: 'string', default: '10000' },
    'share-every': { type: 'string', default: '20' },
    'in-flight': { type: 'string', default: '64' },
    out: { type: 'string' },
  },
})
const notes = Number(values.notes)
const users = Number(values.users)
const shareEvery = Number(values['share-every'])
const inFlight = Number(values['in-flight'])
const out = values.out ?? `bench/results/scale-${notes}.json`
const say = (message: string) => console.log(`[scale] ${message}`)

/** Writes what has been measured so far (after every reading and step: a run stopped half-way keeps its figures). */
const save = async () => {
  results.timeline = timeline
  await mkdir(join(repoRoot, 'bench/results'), { recursive: true })
  await writeFile(resolve(repoRoot, out), `${JSON.stringify(results, null, 2)}\n`)
}

/** Runs one measurement; a failure is recorded as the figure ("failed: ...") and the run goes on to the next. */
const section = async (name: string, measure: () => Promise<unknown>) => {
  try {
    results[name] = await measure()
  } catch (error) {
    results[name] = `failed: ${(error as Error).message}`
  }
  say(`${name}: ${JSON.stringify(results[name])}`)
  await save()
}

const workDir = await mkdtemp(join(tmpdir(), 'jetnotes-scale-'))
const results: Record<string, unknown> = {
  notes,
  users,
  shareEvery,
  inFlight,
  date: new Date().toISOString(),
}
const timeline: Record<string, unknown>[] = []
try {
  await using system = await startScaleSystem(workDir)
  const started: Record<string, number> = {}
  for (const name of ['command', 'projector', 'query'] as const) started[name] = await system.start(name)
  say(`system up (empty): ${JSON.stringify(started)}`)

  const logger = pino({ level: 'warn' })
  const nc = await connectNats(system.nats.settings('operator'), { name: 'bench-scale', logger })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const lag = await projectionLag(js, jsm, logger)
  const commands = httpClient(system.commandUrl, inFlight)
  const queries = httpClient(system.queryUrl, inFlight)
  const storeMb = () => directoryMb(system.nats.storeDir)

  const onWindow = async (phase: 'users' | 'notes', window: Window) => {
    const reading = {
      phase,
      ...window,
      behind: await lag().catch(() => null),
      storeMb: storeMb(),
      // The query-service's /readyz: 503 once a projection is READY_MAX_LAG (10,000) events behind.
      queryReady: await fetch(`${system.queryUrl}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => response.status,
        () => 0,
      ),
      ...system.memory(),
    }
    timeline.push(reading)
    say(JSON.stringify(reading))
    await save()
  }
  const options = { users, notes, shareEvery, inFlight, onWindow }
  const registered = await generateUsers(commands, options)
  say(`${registered.users.length} users in ${registered.seconds.toFixed(0)} s (${registered.failed} failed)`)
  const created = await generateNotes(commands, registered.users, options)
  say(
    `${notes} notes, ${created.shares} shares in ${created.seconds.toFixed(0)} s; refused ${JSON.stringify(created.refused)}`,
  )
  results.load = {
    usersSeconds: registered.seconds,
    usersPerSecond: users / registered.seconds,
    notesSeconds: created.seconds,
    notesPerSecond: notes / created.seconds,
    shares: created.shares,
    refused: created.refused,
    topOwners: Array.from(created.notesOf)
      .sort((a, b) => b - a)
      .slice(0, 5),
    usersWithoutNotes: created.notesOf.filter((count) => count === 0).length,
  }

  const context = { sizes: fullSizes, commands, queries, queryUrl: system.queryUrl, nc, js, jsm, logger, say }
  // Seconds from the last create's 201 until the projector has folded the whole NOTES stream.
  await section(
    'projectorCatchUpSeconds',
    async () =>
      (await untilProjected(context, 'projector', { timeoutMs: 3_600_000, stallMs: 120_000 })).seconds,
  )

  // Let the heaps settle before reading them (no forced GC: the figures are what the processes hold).
  await new Promise((resolve) => setTimeout(resolve, 10_000))
  const streams = await jsm.streams.list().next()
  results.loaded = {
    memory: system.memory(),
    storeMb: storeMb(),
    streams: Object.fromEntries(
      streams.map((info) => [
        info.config.name,
        {
          messages: info.state.messages,
          subjects: info.state.num_subjects,
          mb: Math.round(info.state.bytes / 1024 / 1024),
        },
      ]),
    ),
  }
  say(`loaded: ${JSON.stringify(results.loaded)}`)

  // Reads: a note by id (its owner's token), and the first page of a list, one request at a time.
  const token = (owner: number) => (registered.users[owner] as User).token
  const read = () =>
    sequential(1_000, async (index) => {
      const note = created.sample[index % created.sample.length]
      if (note === undefined) return
      await queries.expect(200, 'GET', `/notes/${note.id}`, { token: token(note.owner) })
    })
  const ranked = Array.from(created.notesOf.keys()).sort(
    (a, b) => (created.notesOf[b] ?? 0) - (created.notesOf[a] ?? 0),
  )
  const listOf = async (rank: number) => {
    const owner = ranked[rank] ?? 0
    const summary = await sequential(300, async () => {
      await queries.expect(200, 'GET', '/notes?limit=50', { token: token(owner) })
    })
    return { notesOfOwner: created.notesOf[owner], ...summary }
  }
  await section('latency', async () => ({
    read: await read(),
    listTopOwner: await listOf(0),
    listOwner100: await listOf(99),
    listMedianOwner: await listOf(Math.floor(ranked.length / 2)),
  }))

  // `npm run rebuild` of each projection while everything runs (the query-service switches over).
  const rebuilds: Record<string, unknown> = {}
  for (const projection of ['notes', 'users']) {
    const memoryFile = join(workDir, `rebuild-${projection}-memory.json`)
    const begun = performance.now()
    let summary = ''
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--import',
          fileURLToPath(new URL('./memory-reporter.ts', import.meta.url)),
          'projector/src/cli/rebuild.ts',
          projection,
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, ...system.nats.loginEnv('operator'), SCALE_MEMORY_FILE: memoryFile },
        },
      )
      // Its progress bars every 2 s would drown the log: keep its summary line ("generation 1 -> 2: ...").
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (/generation \d+ -> \d+/.test(line)) summary = line
      })
      child.once('exit', resolve)
    })
    rebuilds[projection] = {
      seconds: (performance.now() - begun) / 1000,
      exitCode: code,
      summary,
      memory: nodeMemory(memoryFile),
    }
    say(`rebuild ${projection}: ${JSON.stringify(rebuilds[projection])}`)
  }
  results.rebuild = rebuilds
  await commands.close()
  await queries.close()
  await nc.close()

  // Start-up against the loaded data, twice (the machine is shared: one slow start should not decide).
  const startups: Record<string, unknown>[] = []
  for (let round = 0; round < 2; round++) {
    await system.stopAll()
    const times: Record<string, unknown> = {}
    let begun = performance.now()
    try {
      await system.nats.restart()
      times.nats = (performance.now() - begun) / 1000
    } catch (error) {
      times.nats = `failed: ${(error as Error).message.slice(0, 300)}`
      startups.push(times)
      break
    }
    for (const name of ['command', 'projector', 'query'] as const) {
      begun = performance.now()
      times[name] = await system.start(name).catch((error: Error) => `failed: ${error.message}`)
    }
    startups.push(times)
    say(`start-up ${round + 1}: ${JSON.stringify(times)}`)
  }
  results.startup = startups
  await new Promise((resolve) => setTimeout(resolve, 10_000))
  results.restarted = { memory: system.memory(), storeMb: storeMb() }
  say(`after restart: ${JSON.stringify(results.restarted)}`)
} finally {
  await save()
  say(`written to ${out}`)
  await rm(workDir, { recursive: true, force: true })
}
