import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { registerUser } from '../http.ts'
import { LeanSseClients } from '../lean-sse-clients.ts'
import type { LoadContext } from '../load-context.ts'
import { type Summary, summarize } from '../measure.ts'
import { openRemoteMemory, type ProcessMemory } from '../remote-memory.ts'
import { latencies, latencyRow, type Row, round } from '../report.ts'
import type { FanOut } from '../sizes.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1)
const kb = (bytes: number) => round(bytes / 1024, 1)

/** Opens `count` clients of `url`, a few hundred at a time (each is authenticated; the listen backlog is bounded). */
const openClients = async (
  url: URL,
  tokens: readonly string[],
  count: number,
  firstVersion: number,
  versions: number,
) => {
  const clients = new LeanSseClients(url, firstVersion, versions)
  const started = performance.now()
  for (let batch = 0; batch < count; batch += 250) {
    const size = Math.min(250, count - batch)
    await Promise.all(
      Array.from({ length: size }, (_, index) => clients.open(tokens[(batch + index) % tokens.length] ?? '')),
    )
  }
  return { clients, openedInSeconds: (performance.now() - started) / 1000 }
}

type Delivery = {
  summary: Summary
  /** Per edit, the time until its last recipient had it: how long one whole fan-out took. */
  lastRecipient: Summary
  missing: number
  /** The load process's CPU (the clients) while the edits were made and delivered, in % of one core. */
  clientCpu: number
}

/**
 * Makes `edits` edits (`edit(index)` resolves when the edit is answered) at `perSecond`, open loop, and times
 * from each answer to each client's message.
 */
const timeDeliveries = async (
  clients: LeanSseClients,
  edits: number,
  perSecond: number,
  edit: (index: number) => Promise<void>,
): Promise<Delivery> => {
  const editedAt: number[] = []
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  for (let index = 0; index < edits; index++) {
    await edit(index)
    editedAt.push(performance.now())
    // Open loop at the given pace: an edit's own time does not slow the next one down.
    await sleep(started + ((index + 1) * 1000) / perSecond - performance.now())
  }
  const deadline = performance.now() + 10_000
  while (!clients.complete() && performance.now() < deadline) await sleep(20)
  const wallSeconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  clients.close()

  const all: number[] = []
  const last = editedAt.map(() => 0)
  let missing = 0
  for (const received of clients.arrivals) {
    for (const [index, at] of editedAt.entries()) {
      const arrived = received[index] ?? Number.NaN
      if (Number.isNaN(arrived)) {
        missing++
        continue
      }
      const latency = Math.max(0, arrived - at)
      all.push(latency)
      last[index] = Math.max(last[index] ?? 0, latency)
    }
  }
  return {
    summary: summarize({ count: all.length, seconds: 1, latenciesMs: all }),
    lastRecipient: summarize({ count: last.length, seconds: 1, latenciesMs: last }),
    missing,
    clientCpu: Math.round(((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100),
  }
}

const describe = (delivery: Delivery) =>
  (delivery.missing > 0 ? `${delivery.missing} never arrived` : 'none missing') +
  `; an edit's last recipient p50 ${round(delivery.lastRecipient.p50)} ms, ` +
  `p99 ${round(delivery.lastRecipient.p99)} ms; the clients' process used ${delivery.clientCpu}% of a core`

/** Starts the bare SSE fan-out ceiling; resolves with its URL and a stop function. */
const startBareSseServer = async () => {
  const child = fork(fileURLToPath(new URL('../bare-sse-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`the bare SSE server exited (${code})`)))
  })
  return { url: `http://127.0.0.1:${port}`, stop: () => child.disconnect() }
}

/**
 * "live fan-out": a note shared with every user, `clients` SSE connections spread over those users, and
 * `edits` edits made at `editsPerSecond`; for every client and edit, the time from the edit's 200 to the SSE
 * message. The clients are raw sockets in this process (`LeanSseClients`), whose CPU is reported, so a figure
 * limited by the load generator shows as such. The ceiling: the same clients, pace and message size against
 * a bare Node server that writes each message to every stream in one loop (`bare-sse-server.ts`).
 */
export const measureLiveFanOut = async (context: LoadContext, fanOut: FanOut): Promise<Row[]> => {
  const { commands, queries, queryUrl, say } = context
  const path = `live fan-out, ${fanOut.clients} clients`
  const users = await Promise.all(
    Array.from({ length: fanOut.users }, (_, index) => registerUser(commands, `Bench reader ${index}`)),
  )
  const [owner] = users
  if (owner === undefined) throw new Error('no users')
  const created = await commands.expect(201, 'POST', '/notes', {
    token: owner.token,
    body: { title: 'Watched by everyone', body: 'v1' },
  })
  const noteId = created.body.id as string
  let version = created.body.version as number
  for (const user of users.slice(1)) {
    const shared = await commands.expect(200, 'POST', `/notes/${noteId}/shares`, {
      token: owner.token,
      body: { userId: user.id, permission: 'read' },
    })
    version = shared.body.version as number
  }

  const memory =
    fanOut.measureMemory && context.queryInspector !== undefined
      ? await openRemoteMemory(context.queryInspector)
      : undefined
  const before = await memory?.afterGc()
  say(`${path}: opening the SSE connections`)
  const tokens = users.map((user) => user.token)
  const jetnotes = await openClients(
    new URL('/events', queryUrl),
    tokens,
    fanOut.clients,
    version + 1,
    fanOut.edits,
  )
  // Idle for a moment (every stream has sent its first bytes), then the cost of holding them.
  await sleep(1_000)
  const idle = await memory?.afterGc()
  memory?.close()

  say(`${path}: ${fanOut.edits} edits at ${fanOut.editsPerSecond}/s, each to ${fanOut.clients} clients`)
  const delivered = await timeDeliveries(
    jetnotes.clients,
    fanOut.edits,
    fanOut.editsPerSecond,
    async (edit) => {
      const reply = await commands.expect(200, 'PATCH', `/notes/${noteId}`, {
        token: owner.token,
        body: { body: `edit ${edit}` },
        headers: { 'if-match': `"${version}"` },
      })
      version = reply.body.version as number
    },
  )

  say(`${path}: the same against a bare Node SSE server`)
  // A message of the size the query-service sent: the same fields, the note as it is now.
  const note = (await queries.expect(200, 'GET', `/notes/${noteId}`, { token: owner.token })).body
  const message = (edit: number) =>
    JSON.stringify({
      noteId,
      version: edit + 1,
      type: 'NoteEdited',
      actor: { id: owner.id, name: 'Bench reader 0' },
      time: new Date().toISOString(),
      // Its version too is the one the clients time (they read every "version" field).
      note: { ...note, version: edit + 1, body: `edit ${edit}` },
    })
  const bare = await startBareSseServer()
  let ceiling: Delivery
  try {
    const bareClients = await openClients(
      new URL('/events', bare.url),
      tokens,
      fanOut.clients,
      1,
      fanOut.edits,
    )
    await sleep(1_000)
    ceiling = await timeDeliveries(bareClients.clients, fanOut.edits, fanOut.editsPerSecond, async (edit) => {
      const answer = await fetch(`${bare.url}/broadcast`, { method: 'POST', body: message(edit) })
      await answer.arrayBuffer()
    })
  } finally {
    bare.stop()
  }

  const row = latencyRow(
    path,
    delivered.summary,
    100,
    `command 200 -> SSE message, ${fanOut.editsPerSecond} edits/s, ${delivered.summary.count} deliveries: ` +
      `${describe(delivered)}; ${fanOut.clients} connections opened in ${round(jetnotes.openedInSeconds, 1)} s. ` +
      `Bare Node SSE server, same clients, pace and message size: ${latencies(ceiling.summary)}, ${describe(ceiling)}`,
  )
  const rows: Row[] = [
    {
      ...row,
      ceiling: round(ceiling.summary.p99),
      ratio: round(delivered.summary.p99 / ceiling.summary.p99),
    },
  ]
  if (before !== undefined && idle !== undefined) rows.push(memoryRow(fanOut.clients, before, idle))
  return rows
}

/** The query-service's memory per idle connection: (with the clients - before them) / clients, after a GC. */
const memoryRow = (clients: number, before: ProcessMemory, idle: ProcessMemory): Row => {
  const perConnection = (field: keyof ProcessMemory) => (idle[field] - before[field]) / clients
  const rssKb = kb(perConnection('rss'))
  return {
    path: `live: memory per idle connection (${clients})`,
    jetnotes: rssKb,
    ceiling: null,
    ratio: null,
    target: '<= 20 KB',
    met: rssKb <= 20,
    unit: 'KB RSS',
    detail:
      `query-service after a full GC, before -> with ${clients} idle: RSS ${mb(before.rss)} -> ${mb(idle.rss)} MB, ` +
      `heap used ${mb(before.heapUsed)} -> ${mb(idle.heapUsed)} MB (${kb(perConnection('heapUsed'))} KB each), ` +
      `external ${mb(before.external)} -> ${mb(idle.external)} MB`,
  }
}
