import { canRead, toNoteView } from '@jetnotes/schemas'
import {
  expectedList,
  expectViewsEqualFold,
  foldNotes,
  type HttpClient,
  type RunningSystem,
  randomCommands,
  registerUser,
  startSystem,
} from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let system: RunningSystem
beforeAll(async () => {
  // Tiny pages and a tiny scan limit: every list spans many pages, splits and merges on the way, and a
  // filtered list needs several requests.
  system = await startSystem({ notePageSize: 3, noteDirectorySize: 2, listScanLimit: 10 })
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

/** Every item of a paginated list. */
const allPages = async (api: HttpClient, path: string, token: string) => {
  const items: Record<string, unknown>[] = []
  let cursor: string | null = null
  do {
    const separator = path.includes('?') ? '&' : '?'
    const reply = await api.get(`${path}${cursor ? `${separator}cursor=${cursor}` : ''}`, { token })
    expect(reply.status).toBe(200)
    items.push(...(reply.body.items as Record<string, unknown>[]))
    cursor = reply.body.nextCursor as string | null
  } while (cursor !== null)
  return items
}

const seed = Number(process.env.PROPERTY_SEED ?? 20261124)

describe(`a random mix of commands (seed ${seed})`, () => {
  it('leaves every view equal to a pure fold of the log, and every history equal to the note log', async () => {
    const users: { id: string; token: string; name: string }[] = []
    for (let i = 0; i < 6; i++) users.push(await registerUser(system.commands, `Property user ${i}`))
    const statuses = await randomCommands({ api: system.commands, users, steps: 400, seed })
    // The mix exercised refusals as well as successes.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 204, 403, 404]))

    const lastSeq = (await system.jsm.streams.info('NOTES')).state.last_seq
    await expect
      .poll(() => system.queryContext.readModels.position('notes')?.seq, { timeout: 15_000 })
      .toBe(lastSeq)
    const { notes: folded, events } = await foldNotes(system.js)

    for (const user of users) {
      const expected = expectedList(folded, user.id)
      expect(await allPages(system.queries, '/notes?limit=7', user.token)).toEqual(expected)
      expect(await allPages(system.queries, '/notes?limit=4&tag=a', user.token)).toEqual(
        expected.filter((note) => note.tags.includes('a')),
      )
      expect(await allPages(system.queries, '/notes?limit=3&q=TITLE%201', user.token)).toEqual(
        expected.filter((note) => note.title.toLowerCase().includes('title 1')),
      )
    }
    expect((await expectViewsEqualFold(system)).pages).toBeGreaterThan(20)
    for (const [id, note] of folded) {
      for (const user of users) {
        const reply = await system.queries.get(`/notes/${id}`, { token: user.token })
        if (canRead(note, user.id)) {
          expect(reply.status).toBe(200)
          expect(reply.body).toEqual(toNoteView(note))
        } else {
          expect(reply.status).toBe(404)
        }
      }
      const history = await allPages(
        system.queries,
        `/notes/${id}/history?limit=9`,
        users.find((user) => user.id === note.owner)?.token ?? '',
      )
      expect(history.map((entry) => [entry.version, entry.type, entry.position, entry.time])).toEqual(
        (events.get(id) ?? []).map(({ seq, event }) => [event.version, event.type, seq, event.time]),
      )
    }
  })
})
