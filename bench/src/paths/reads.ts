import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { httpClient } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { measureRounds } from '../measure.ts'
import { type Row, throughputRow } from '../report.ts'

/** Starts the bare Fastify ceiling with a body of the given JSON; resolves with its URL and a stop function. */
const startBareServer = async (body: string) => {
  const child = fork(fileURLToPath(new URL('../bare-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BARE_BODY: body },
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)))
  })
  return { url: `http://127.0.0.1:${port}`, stop: () => child.disconnect() }
}

/** "read note": GET /notes/:id from the query-service against a bare Fastify route with a body as large. */
export const measureReads = async (
  context: LoadContext,
  readers: { token: string }[],
  notes: string[],
): Promise<Row> => {
  const { sizes, queries, say } = context
  const token = (worker: number) => readers[worker % readers.length]?.token ?? ''
  const sample = await queries.expect(200, 'GET', `/notes/${notes[0]}`, { token: token(0) })
  const bare = await startBareServer(JSON.stringify(sample.body))
  const bareClient = httpClient(bare.url, sizes.concurrency)
  try {
    say('read note: jetnotes')
    // Worker n reads the note worker n wrote (its own): every read is a 200.
    const read = await measureRounds(sizes.rounds, sizes.concurrency, async (worker) => {
      await queries.expect(200, 'GET', `/notes/${notes[worker % notes.length]}`, { token: token(worker) })
    })
    say('read note: bare Fastify route')
    const ceiling = await measureRounds(sizes.rounds, sizes.concurrency, async (worker) => {
      await bareClient.expect(200, 'GET', `/notes/${notes[worker % notes.length]}`)
    })
    return throughputRow(
      `read note, ${sizes.concurrency} in flight`,
      read,
      ceiling,
      0.7,
      `bare Fastify (${JSON.stringify(sample.body).length} B)`,
    )
  } finally {
    await bareClient.close()
    bare.stop()
  }
}
