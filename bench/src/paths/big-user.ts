import { registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { listPath, readPage, untilListed } from '../note-list.ts'
import { untilProjected } from '../projection-caught-up.ts'
import { count, orFailed, type Row, round } from '../report.ts'
import { seedNotes } from '../seed-notes.ts'

/**
 * "200,000-note user": a user with `bigUserNotes` notes (seeded straight into NOTES) can still work: the
 * first page of `GET /notes` and the page after it by cursor answer 200, and an edit of the newest note shows
 * on the first page. Reports how long each took; any refusal or time-out fails the row with its reason.
 */
export const measureBigUser = async (context: LoadContext): Promise<Row[]> => {
  const { sizes, commands, queries, say } = context
  const path = `${count(sizes.bigUserNotes)}-note user`
  const target = 'works'
  return orFailed([{ path, target }], async () => {
    const user = await registerUser(commands, 'Bench biggest user')
    const seeded = await seedNotes(context, user.id, sizes.bigUserNotes, path)
    const projected = await untilProjected(context, path, { timeoutMs: 60_000 + 2 * sizes.bigUserNotes })
    say(`${path}: the projector caught up in ${projected.seconds.toFixed(1)} s`)

    const timed = async <Result>(step: () => Promise<Result>) => {
      const begun = performance.now()
      const result = await step()
      return { result, ms: round(performance.now() - begun) }
    }
    const first = await timed(() => readPage(queries, user.token, listPath(50)))
    const newest = first.result.items[0]
    const cursor = first.result.nextCursor
    if (first.result.items.length !== 50 || newest === undefined || cursor === null) {
      throw new Error(
        `the first page held ${first.result.items.length} notes and no cursor, not 50 and a cursor`,
      )
    }
    const second = await timed(() => readPage(queries, user.token, listPath(50, cursor)))
    const edit = await timed(() =>
      commands.expect(200, 'PATCH', `/notes/${newest.id}`, { token: user.token, body: { title: 'Edited' } }),
    )
    const answered = performance.now()
    const shown = await untilListed(
      queries,
      user.token,
      listPath(50),
      newest.id,
      edit.result.body.version as number,
    )
    const visibleMs = round(shown - answered)
    return [
      {
        path,
        jetnotes: visibleMs,
        ceiling: null,
        ratio: null,
        target,
        met: true,
        unit: 'ms (edit -> list)',
        detail:
          `GET /notes?limit=50 200 in ${first.ms} ms; the next page by cursor 200 in ${second.ms} ms ` +
          `(${second.result.items.length} notes); PATCH of the newest note 200 in ${edit.ms} ms, on the first ` +
          `page ${visibleMs} ms after; ${count(sizes.bigUserNotes)} notes seeded by publishing NoteCreated ` +
          `commits straight to NOTES (bypassing the command-service) at ${Math.round(seeded.perSecond)}/s, ` +
          `projected in ${projected.seconds.toFixed(1)} s`,
      },
    ]
  })
}
