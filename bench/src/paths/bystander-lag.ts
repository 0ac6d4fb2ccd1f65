import { registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { summarize } from '../measure.ts'
import { listPath, untilListed } from '../note-list.ts'
import { untilProjected } from '../projection-caught-up.ts'
import { count, latencies, latencyRow, orFailed, type Row } from '../report.ts'

/**
 * "bystander lag": one user creates notes as fast as it can (`concurrency` POSTs in flight, for
 * `bystanderSeconds` or `bystanderMaxNotes` notes), while another user creates notes one at a time; for each
 * of the bystander's notes, the time from its 201 to the note in the bystander's `GET /notes?limit=50`. Every
 * user's views go through the same projector, so this is what a heavy user costs everyone else.
 */
export const measureBystanderLag = async (context: LoadContext): Promise<Row[]> => {
  const { sizes, commands, queries, say } = context
  const path = 'bystander lag'
  return orFailed([{ path, target: 'p99 <= 50 ms' }], async () => {
    const heavy = await registerUser(commands, 'Bench heavy writer')
    const bystander = await registerUser(commands, 'Bench bystander')
    // The lag measured is only the heavy user's doing once the backlog of the paths before is gone.
    await untilProjected(context, path, { timeoutMs: 120_000 })

    say(`${path}: one user creating as fast as it can for ${sizes.bystanderSeconds} s, another timed`)
    const started = performance.now()
    const until = started + sizes.bystanderSeconds * 1000
    let heavyNotes = 0
    let stopped = false
    let heavyFailed: unknown
    const running = () => !stopped && performance.now() < until && heavyNotes < sizes.bystanderMaxNotes
    const writers = Promise.all(
      Array.from({ length: sizes.concurrency }, async () => {
        while (running()) {
          heavyNotes++
          await commands.expect(201, 'POST', '/notes', {
            token: heavy.token,
            body: { title: `Heavy ${heavyNotes}`, body: 'As fast as possible.' },
          })
        }
      }),
    ).catch((error: unknown) => {
      // Held until the bystander stops, so the failure is reported as this row's reason.
      heavyFailed = error
      stopped = true
    })
    const lags: number[] = []
    const createMs: number[] = []
    try {
      while (running()) {
        const sent = performance.now()
        const created = await commands.expect(201, 'POST', '/notes', {
          token: bystander.token,
          body: { title: `Bystander ${lags.length}`, body: 'Timed.' },
        })
        const answered = performance.now()
        createMs.push(answered - sent)
        const shown = await untilListed(queries, bystander.token, listPath(50), created.body.id as string, 1)
        lags.push(shown - answered)
      }
    } finally {
      stopped = true
      await writers
    }
    if (heavyFailed !== undefined) throw heavyFailed
    const seconds = (performance.now() - started) / 1000
    const posts = summarize({ count: createMs.length, seconds, latenciesMs: createMs })
    return [
      latencyRow(
        path,
        summarize({ count: lags.length, seconds, latenciesMs: lags }),
        50,
        `create 201 -> note in the creator's GET /notes?limit=50 (read one request at a time), ` +
          `${lags.length} notes of one user while another created ${count(heavyNotes)} notes ` +
          `(${sizes.concurrency} in flight, ${Math.round(heavyNotes / seconds)}/s); ` +
          `the bystander's POST itself ${latencies(posts)}`,
      ),
    ]
  })
}
