import { type ClientRequest, request } from 'node:http'
import { createParser } from 'eventsource-parser'
import { registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { summarize } from '../measure.ts'
import { latencyRow, type Row } from '../report.ts'

/** One SSE client on a raw socket: records when each version of the note arrived. */
const openClient = (url: URL, token: string, arrivals: Map<number, number>[]) =>
  new Promise<ClientRequest>((resolve, reject) => {
    const received = new Map<number, number>()
    arrivals.push(received)
    const parser = createParser({
      onEvent: (message) => {
        const { version } = JSON.parse(message.data) as { version: number }
        received.set(version, performance.now())
      },
    })
    const client = request(
      url,
      { agent: false, headers: { authorization: `Bearer ${token}` } },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`SSE answered ${response.statusCode}`))
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => parser.feed(chunk))
        resolve(client)
      },
    )
    client.on('error', reject)
    client.end()
  })

/**
 * "live fan-out": a note shared with every user, `liveClients` SSE connections spread over those users, and
 * edits made one at a time; for every client and edit, the time from the edit's 201 to the SSE message.
 */
export const measureLiveFanOut = async (context: LoadContext): Promise<Row> => {
  const { sizes, commands, queryUrl, say } = context
  const users = await Promise.all(
    Array.from({ length: sizes.liveUsers }, (_, index) => registerUser(commands, `Bench reader ${index}`)),
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
  say(`live fan-out: opening ${sizes.liveClients} SSE connections`)
  const url = new URL('/events', queryUrl)
  const arrivals: Map<number, number>[] = []
  const clients: ClientRequest[] = []
  for (let batch = 0; batch < sizes.liveClients; batch += 100) {
    const size = Math.min(100, sizes.liveClients - batch)
    clients.push(
      ...(await Promise.all(
        Array.from({ length: size }, (_, index) =>
          openClient(url, users[(batch + index) % users.length]?.token ?? '', arrivals),
        ),
      )),
    )
  }

  say(`live fan-out: ${sizes.liveEdits} edits, each to ${sizes.liveClients} clients`)
  const editedAt = new Map<number, number>()
  for (let edit = 0; edit < sizes.liveEdits; edit++) {
    const reply = await commands.expect(200, 'PATCH', `/notes/${noteId}`, {
      token: owner.token,
      body: { body: `edit ${edit}` },
      headers: { 'if-match': `"${version}"` },
    })
    version = reply.body.version as number
    editedAt.set(version, performance.now())
    // Edits a human pace apart would be easier; 20 per second keeps the run short and the hub busy.
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const deadline = performance.now() + 10_000
  const complete = () => arrivals.every((received) => [...editedAt.keys()].every((v) => received.has(v)))
  while (!complete() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  for (const client of clients) client.destroy()

  const latencies: number[] = []
  let missing = 0
  for (const received of arrivals) {
    for (const [edited, at] of editedAt) {
      const arrived = received.get(edited)
      if (arrived === undefined) missing++
      else latencies.push(Math.max(0, arrived - at))
    }
  }
  return latencyRow(
    `live fan-out, ${sizes.liveClients} clients`,
    summarize({ count: latencies.length, seconds: 1, latenciesMs: latencies }),
    100,
    `command 201 -> SSE message, ${latencies.length} deliveries` +
      (missing > 0 ? `, ${missing} never arrived` : ', none missing'),
  )
}
