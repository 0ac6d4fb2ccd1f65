import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseEnv } from 'node:util'
import { connectNats } from '@jetnotes/platform'
import { aggregateIdOf } from '@jetnotes/schemas'
import {
  caughtUp,
  type EventStream,
  expectViewsEqualFold,
  freePort,
  httpClient,
  type LiveMessage,
  openEventStream,
  readStream,
  registerUser,
} from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { operatorEnvFile } from '../start/credentials.ts'
import { pidFileOf } from '../start/pid-files.ts'

const repoRoot = new URL('../..', import.meta.url).pathname
const workers = 32

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `npm start` as a person runs it, in a temp DATA_DIR on free ports; its output kept line by line. */
const startLauncher = async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'jetnotes-supervision-')), 'data')
  const ports = {
    nats: await freePort(),
    command: await freePort(),
    query: await freePort(),
    web: await freePort(),
  }
  // The test's settings win over .env (already set variables do); no NATS login of the test's own leaks in.
  const inherited = Object.entries(process.env).filter(
    ([key]) => !key.startsWith('NATS_') && !/^JETNOTES_.*_NATS_PASSWORD$/.test(key),
  )
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    env: {
      ...Object.fromEntries(inherited),
      DATA_DIR: dataDir,
      NATS_PORT: String(ports.nats),
      COMMAND_PORT: String(ports.command),
      QUERY_PORT: String(ports.query),
      WEB_PORT: String(ports.web),
      PROJECTOR_PORT: '0',
      NATS_MONITOR_PORT: '0',
      LOG_LEVEL: 'warn',
      // 32 writers on one token would hit the per-user limit: this test is about faults, not limits.
      RATE_LIMIT_PER_USER: '0',
      RATE_LIMIT_PER_ADDRESS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  for (const stream of [launcher.stdout, launcher.stderr]) {
    createInterface({ input: stream }).on('line', (line) => lines.push(line))
  }
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)))
  return { launcher, exited, dataDir, ports, lines }
}

/** The launcher's own line saying `pattern`, waited for. */
const launcherSaid = async (lines: string[], pattern: RegExp, from = 0) =>
  expect
    .poll(() => lines.slice(from).some((line) => line.startsWith('start') && pattern.test(line)), {
      timeout: 30_000,
      interval: 100,
    })
    .toBe(true)

const pidOf = (dataDir: string, name: string) => Number(readFileSync(pidFileOf(dataDir, name), 'utf8').trim())

/**
 * A live client as a browser's EventSource is one: when its stream ends (or cannot be opened) it opens it
 * again with the last id it received, until stopped.
 */
const followLive = (url: string, token: string) => {
  const messages: LiveMessage[] = []
  let stopped = false
  let current: EventStream | undefined
  const done = (async () => {
    while (!stopped) {
      const lastId = messages.at(-1)?.id
      try {
        current = await openEventStream(url, {
          authorization: `Bearer ${token}`,
          ...(lastId === undefined ? {} : { 'last-event-id': lastId }),
        })
        if (current.status === 200) {
          const stream = current
          let seen = 0
          while (!stream.ended && !stopped) {
            await stream.until(() => stream.ended || stream.messages.length > seen, 60_000).catch(() => {})
            messages.push(...stream.messages.slice(seen))
            seen = stream.messages.length
          }
        } else current.close()
      } catch {
        // The query-service is restarting: try again shortly.
      }
      if (!stopped) await sleep(200)
    }
  })()
  return {
    messages,
    stop: async () => {
      stopped = true
      current?.close()
      await done
    },
  }
}

/** 32 clients creating notes until stopped; the ledger holds every note acknowledged (2xx). */
const createLoad = (base: string, token: string) => {
  const api = httpClient(base)
  const acked = new Set<string>()
  const statuses = new Map<number, number>()
  const badUnavailable: string[] = []
  const others: string[] = []
  let stopped = false
  let sent = 0
  const worker = async () => {
    while (!stopped) {
      const index = sent++
      try {
        const reply = await api.post(
          '/notes',
          { title: `Chaos ${index}`, body: '', tags: [] },
          { token, headers: { 'idempotency-key': `chaos-${index}-${Date.now()}` } },
        )
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
        if (reply.status === 201) acked.add(reply.body.id as string)
        else if (reply.status === 503) {
          const type = reply.body.type
          const retryAfter = reply.headers.get('retry-after')
          const contentType = reply.headers.get('content-type') ?? ''
          if (
            type !== 'urn:jetnotes:problem:unavailable' ||
            retryAfter === null ||
            !contentType.includes('problem+json')
          )
            badUnavailable.push(`${type} ${retryAfter} ${contentType}`)
          await sleep(200)
        } else {
          others.push(`${reply.status} ${JSON.stringify(reply.body)}`)
          await sleep(200)
        }
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1)
        await sleep(200)
      }
    }
  }
  const running = Promise.all(Array.from({ length: workers }, worker))
  return {
    acked,
    statuses,
    badUnavailable,
    others,
    stop: async () => {
      stopped = true
      await running
    },
  }
}

describe('npm start, when its processes are killed', () => {
  const pids = new Set<number>()
  let started: Awaited<ReturnType<typeof startLauncher>> | undefined

  afterAll(() => {
    // Whatever happened above, nothing is left running (a launcher killed outright cannot stop its children).
    if (started?.launcher.exitCode === null) started.launcher.kill('SIGKILL')
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    if (started !== undefined) rmSync(join(started.dataDir, '..'), { recursive: true, force: true })
  })

  it('restarts nats-server and a service, loses no acked write, and stops everything on SIGTERM', async () => {
    started = await startLauncher()
    const { launcher, exited, dataDir, ports, lines } = started
    const notePids = () => {
      for (const name of readdirSync(join(dataDir, 'run')))
        pids.add(pidOf(dataDir, name.replace(/\.pid$/, '')))
    }
    const commands = `http://127.0.0.1:${ports.command}`
    const queries = `http://127.0.0.1:${ports.query}`
    const ready = async (base: string) =>
      expect
        .poll(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status, {
          timeout: 30_000,
          interval: 200,
        })
        .toBe(200)
    await ready(commands)
    await ready(queries)
    notePids()

    const user = await registerUser(httpClient(commands), 'Chaos')
    const live = followLive(`${queries}/events`, user.token)
    const load = createLoad(commands, user.token)
    await expect.poll(() => load.acked.size, { timeout: 30_000 }).toBeGreaterThanOrEqual(100)

    // nats-server SIGKILLed under load: the launcher restarts it, the services reconnect, writes resume.
    const natsPid = pidOf(dataDir, 'nats')
    process.kill(natsPid, 'SIGKILL')
    const killedAt = lines.length
    await launcherSaid(lines, /nats exited unexpectedly \(signal SIGKILL\).*restarting in/, killedAt)
    await launcherSaid(lines, /nats is running again/, killedAt)
    expect(pidOf(dataDir, 'nats')).not.toBe(natsPid)
    notePids()
    const ackedAtRestart = load.acked.size
    await expect.poll(() => load.acked.size, { timeout: 30_000 }).toBeGreaterThanOrEqual(ackedAtRestart + 100)
    // While it was away, commands were refused with 503 problem+json and Retry-After, never anything worse.
    expect(load.statuses.get(503) ?? 0).toBeGreaterThan(0)
    expect(load.badUnavailable).toEqual([])

    // The live client's stream stayed open: the query-service's live hub resumed by itself.
    const createdIn = () =>
      live.messages.filter(({ event }) => event === 'NoteCreated').map(({ data }) => data.noteId as string)
    const ackedAfterRestart = [...load.acked].at(-1)
    await expect.poll(() => createdIn().includes(ackedAfterRestart ?? ''), { timeout: 30_000 }).toBe(true)

    // A service SIGKILLed: the launcher restarts it while the command-service goes on serving.
    const queryPid = pidOf(dataDir, 'query')
    process.kill(queryPid, 'SIGKILL')
    const queryKilledAt = lines.length
    const ackedAtQueryKill = load.acked.size
    await launcherSaid(lines, /query exited unexpectedly \(signal SIGKILL\)/, queryKilledAt)
    await expect
      .poll(() => load.acked.size, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(ackedAtQueryKill + 50)
    await launcherSaid(lines, /query is running again/, queryKilledAt)
    await ready(queries)
    notePids()
    await load.stop()
    expect(load.others, `statuses: ${JSON.stringify([...load.statuses])}`).toEqual([])

    // Every acknowledged write is in the log, read back as the operator; the views equal a fold of it.
    const operator = parseEnv(readFileSync(operatorEnvFile(dataDir), 'utf8'))
    const logger = pino({ level: 'silent' })
    const nc = await connectNats(
      { url: operator.NATS_URL ?? '', user: operator.NATS_USER, password: operator.NATS_PASSWORD },
      { name: 'supervision-test', logger, waitForServer: false },
    )
    try {
      const js = jetstream(nc)
      const jsm = await jetstreamManager(nc)
      const logged = new Set((await readStream(js, 'NOTES')).map(({ subject }) => aggregateIdOf(subject)))
      const lost = [...load.acked].filter((id) => !logged.has(id))
      expect(lost).toEqual([])
      const views = { js, jsm, logger, projectionOptions: {} }
      await caughtUp(views)
      await expectViewsEqualFold(views)
    } finally {
      await nc.close()
    }

    // The live client, reconnecting with its last id after the query-service's restart, saw every acked create
    // exactly once (its resume is replayed from the log: the restarted hub's memory starts later).
    await expect
      .poll(() => [...load.acked].filter((id) => !createdIn().includes(id)).length, { timeout: 30_000 })
      .toBe(0)
    await live.stop()
    const ids = live.messages.map(({ id }) => id)
    expect(new Set(ids).size).toBe(ids.length)

    // SIGTERM: every child stops, then the launcher, and no pid file is left.
    launcher.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect([...pids].filter(isAlive)).toEqual([])
    expect(readdirSync(join(dataDir, 'run'))).toEqual([])
  }, 120_000)
})
