import { registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { measureRounds, summarize } from '../measure.ts'
import { listPath, readPage, untilListed, walkToLastPage } from '../note-list.ts'
import { untilProjected } from '../projection-caught-up.ts'
import { count, latencies, orFailed, type Row, round } from '../report.ts'
import { seedNotes } from '../seed-notes.ts'

type Owner = { id: string; token: string; notes: number }
/** A note whose edits are timed, and the list page (path with limit and cursor) it shows on. */
type Watched = { id: string; page: string }
const kinds = ['newest', 'oldest'] as const
type Kind = (typeof kinds)[number]
const shownOn: Record<Kind, string> = {
  newest: 'newest note (first page, limit=50)',
  oldest: 'oldest note (its page by cursor, limit=100)',
}

/**
 * The owner's newest note, on the first page of 50, and its oldest, on the last page (100 a page), found by
 * following the cursors once. Edits do not move a note: the list is ordered by creation.
 */
const watchedNotes = async ({ queries }: LoadContext, owner: Owner): Promise<Record<Kind, Watched>> => {
  const first = listPath(50)
  const newest = (await readPage(queries, owner.token, first)).items[0]
  const last = await walkToLastPage(queries, owner.token, {
    maxPages: Math.ceil(owner.notes / 100) + 2,
    timeoutMs: 120_000,
  })
  const oldest = last.page.items.at(-1)
  if (newest === undefined || oldest === undefined) {
    throw new Error(`the list of the owner of ${count(owner.notes)} notes is empty`)
  }
  return {
    newest: { id: newest.id, page: first },
    oldest: { id: oldest.id, page: listPath(100, last.cursor) },
  }
}

/** Edits the note's title; returns the PATCH's time and the time from its 200 to the list page showing it. */
const timeEdit = async ({ commands, queries }: LoadContext, owner: Owner, note: Watched, title: string) => {
  const sent = performance.now()
  const reply = await commands.expect(200, 'PATCH', `/notes/${note.id}`, {
    token: owner.token,
    body: { title },
  })
  const answered = performance.now()
  const shown = await untilListed(queries, owner.token, note.page, note.id, reply.body.version as number)
  return { commandMs: answered - sent, visibleMs: shown - answered }
}

/**
 * "list update at scale" and "list read at scale": an owner of `scaleNotes` notes against an owner of
 * `scaleReferenceNotes`, both seeded straight into NOTES and measured in the same run. Updates: the time from
 * an edit's 200 to its new version in the owner's `GET /notes` page (newest note: the first page; oldest: its
 * page by cursor), edits alternating between the owners. Reads: `GET /notes?limit=50` in a closed loop.
 */
export const measureListAtScale = async (context: LoadContext): Promise<Row[]> => {
  const { sizes, commands, queries, say } = context
  const versus = `${count(sizes.scaleNotes)} vs ${count(sizes.scaleReferenceNotes)} notes`
  const update = { path: `list update at scale, ${versus}`, target: '<= 1.5' }
  const read = { path: `list read at scale, ${versus}`, target: '<= 1.5' }
  return orFailed([update, read], async () => {
    const large: Owner = {
      ...(await registerUser(commands, 'Bench many notes')),
      notes: sizes.scaleNotes,
    }
    const reference: Owner = {
      ...(await registerUser(commands, 'Bench few notes')),
      notes: sizes.scaleReferenceNotes,
    }
    const seeded = await seedNotes(context, large.id, large.notes, 'list at scale')
    await seedNotes(context, reference.id, reference.notes, 'list at scale')
    const projected = await untilProjected(context, 'list at scale', {
      timeoutMs: 60_000 + 2 * (large.notes + reference.notes),
    })
    say(`list at scale: the projector caught up in ${projected.seconds.toFixed(1)} s`)
    const seeding =
      `notes seeded by publishing NoteCreated commits straight to NOTES (bypassing the command-service) at ` +
      `${Math.round(seeded.perSecond)}/s, projected in ${projected.seconds.toFixed(1)} s`

    const owners = { large, reference }
    const watched = {
      large: await watchedNotes(context, large),
      reference: await watchedNotes(context, reference),
    }
    say(`list at scale: ${sizes.scaleEdits} edits of each owner's newest and oldest note`)
    const visible = {
      large: { newest: [] as number[], oldest: [] as number[] },
      reference: { newest: [] as number[], oldest: [] as number[] },
    }
    const commandMs: number[] = []
    for (let sample = 0; sample < sizes.scaleEdits; sample++) {
      for (const kind of kinds) {
        for (const which of ['large', 'reference'] as const) {
          const timed = await timeEdit(context, owners[which], watched[which][kind], `Edited ${sample}`)
          visible[which][kind].push(timed.visibleMs)
          commandMs.push(timed.commandMs)
        }
      }
    }
    const summary = (values: number[]) => summarize({ count: values.length, seconds: 1, latenciesMs: values })
    const compared = kinds.map((kind) => {
      const big = summary(visible.large[kind])
      const small = summary(visible.reference[kind])
      return { kind, big, small, ratio: round(big.p50 / small.p50) }
    })
    const worse = compared.reduce((a, b) => (b.ratio > a.ratio ? b : a))
    const updateRow: Row = {
      path: update.path,
      jetnotes: round(worse.big.p50),
      ceiling: round(worse.small.p50),
      ratio: worse.ratio,
      target: update.target,
      met: compared.every(({ ratio }) => ratio <= 1.5),
      unit: 'ms (p50)',
      detail:
        `edit 200 -> new version in the owner's GET /notes page (read one request at a time), ` +
        `${sizes.scaleEdits} edits per owner and note; ` +
        compared
          .map(
            ({ kind, big, small, ratio }) =>
              `${shownOn[kind]}: ${count(large.notes)}-note owner ${latencies(big)}, ` +
              `${count(reference.notes)}-note owner ${latencies(small)}, ratio ${ratio}`,
          )
          .join('; ') +
        `; the table shows the worse; the PATCH itself ${latencies(summary(commandMs))}; ${seeding}`,
    }

    say(`list at scale: GET /notes?limit=50, ${count(large.notes)}-note owner`)
    const readPageOf = (owner: Owner) => async () => {
      await queries.expect(200, 'GET', listPath(50), { token: owner.token })
    }
    const largeRead = await measureRounds(sizes.rounds, sizes.concurrency, readPageOf(large))
    say(`list at scale: GET /notes?limit=50, ${count(reference.notes)}-note owner`)
    const referenceRead = await measureRounds(sizes.rounds, sizes.concurrency, readPageOf(reference))
    const readRatio = round(largeRead.p50 / referenceRead.p50)
    const readRow: Row = {
      path: read.path,
      jetnotes: round(largeRead.p50),
      ceiling: round(referenceRead.p50),
      ratio: readRatio,
      target: read.target,
      met: readRatio <= 1.5,
      unit: 'ms (p50)',
      detail:
        `GET /notes?limit=50, ${sizes.concurrency} in flight: ${count(large.notes)}-note owner ` +
        `${Math.round(largeRead.perSecond)}/s ${latencies(largeRead)}; ${count(reference.notes)}-note owner ` +
        `${Math.round(referenceRead.perSecond)}/s ${latencies(referenceRead)}; ${seeding}`,
    }
    return [updateRow, readRow]
  })
}
