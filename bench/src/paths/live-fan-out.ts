import { registerUser } from '../http.ts'
import { LeanSseClients } from '../lean-sse-clients.ts'
import type { LoadContext } from '../load-context.ts'
import { summarize } from '../measure.ts'
import { openRemoteMemory, type ProcessMemory } from '../remote-memory.ts'
import { latencyRow, type Row, round } from '../report.ts'

/** How one fan-out row is run. */
export type FanOut = {
  clients: number
  /** Users the clients are spread over (the note is shared with all of them). */
  users: number
  edits: number
  editsPerSecond: number
  /** Also report the query-service's memory with these clients idle (the cost of one connection). */
  measureMemory: boolean
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1)
const kb = (bytes: number) => round(bytes / 1024, 1)

/**
 * "live fan-out": a note shared with every user, `clients` SSE connections spread over those users, and
 * `edits` edits made at `editsPerSecond`; for every client and edit, the time from the edit's 200 to the SSE
 * message. The clients are raw sockets in this process (`LeanSseClients`); the CPU this process used while the
 * edits were delivered is reported, so a figure limited by the load generator shows as such.
 */
export const measureLiveFanOut = async (context: LoadContext, fanOut: FanOut): Promise<Row[]> => {
  const { commands, queryUrl, say } = context
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
  const clients = new LeanSseClients(new URL('/events', queryUrl), version + 1, fanOut.edits)
  const opening = performance.now()
  // A few hundred at a time: each is authenticated and subscribed, and the listen backlog is bounded.
  for (let batch = 0; batch < fanOut.clients; batch += 250) {
    const size = Math.min(250, fanOut.clients - batch)
    await Promise.all(
      Array.from({ length: size }, (_, index) =>
        clients.open(users[(batch + index) % users.length]?.token ?? ''),
      ),
    )
  }
  const openedInSeconds = (performance.now() - opening) / 1000
  // Idle for a moment (every stream has sent its first bytes), then the cost of holding them.
  await sleep(1_000)
  const idle = await memory?.afterGc()
  memory?.close()

  say(`${path}: ${fanOut.edits} edits at ${fanOut.editsPerSecond}/s, each to ${fanOut.clients} clients`)
  const editedAt: number[] = []
  const interval = 1000 / fanOut.editsPerSecond
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  for (let edit = 0; edit < fanOut.edits; edit++) {
    const reply = await commands.expect(200, 'PATCH', `/notes/${noteId}`, {
      token: owner.token,
      body: { body: `edit ${edit}` },
      headers: { 'if-match': `"${version}"` },
    })
    version = reply.body.version as number
    editedAt.push(performance.now())
    // Open loop at the given pace (an edit's own time does not slow the next one down).
    await sleep(started + (edit + 1) * interval - performance.now())
  }
  const deadline = performance.now() + 10_000
  while (!clients.complete() && performance.now() < deadline) await sleep(20)
  const wallSeconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  clients.close()

  const latencies: number[] = []
  let missing = 0
  for (const received of clients.arrivals) {
    for (const [edit, at] of editedAt.entries()) {
      const arrived = received[edit] ?? Number.NaN
      if (Number.isNaN(arrived)) missing++
      else latencies.push(Math.max(0, arrived - at))
    }
  }
  const clientCpu = Math.round(((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100)
  const rows = [
    latencyRow(
      path,
      summarize({ count: latencies.length, seconds: 1, latenciesMs: latencies }),
      100,
      `command 200 -> SSE message, ${fanOut.editsPerSecond} edits/s, ${latencies.length} deliveries` +
        (missing > 0 ? `, ${missing} never arrived` : ', none missing') +
        `; ${fanOut.clients} connections opened in ${round(openedInSeconds, 1)} s; ` +
        `the load process (the clients) used ${clientCpu}% of a core meanwhile`,
    ),
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
