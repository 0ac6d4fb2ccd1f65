import { canRead, toNoteView } from '@jetnotes/schemas'
import { type HttpClient, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectedList, foldNotes } from './log-fold.ts'

let system: RunningSystem
beforeAll(async () => {
  system = await startSystem()
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

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
    const next = random(seed)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
    const users: { id: string; token: string; name: string }[] = []
    for (let i = 0; i < 6; i++) users.push(await registerUser(system.commands, `Property user ${i}`))
    const notes: string[] = []
    const owners = new Map<string, { id: string; token: string }>()
    /** Mostly the owner, sometimes anyone: sharing, unsharing and deleting are the owner's. */
    const ownerMostly = (id: string) => (next() < 0.8 ? (owners.get(id) ?? pick(users)) : pick(users))
    const statuses = new Map<number, number>()

    for (let step = 0; step < 400; step++) {
      const actor = pick(users)
      const roll = next()
      let reply: { status: number; body: Record<string, unknown> }
      if (notes.length === 0 || roll < 0.2) {
        reply = await system.commands.post(
          '/notes',
          { title: `Note ${step}`, body: `body ${step}`, tags: [pick(['a', 'b', 'c'])] },
          { token: actor.token },
        )
        if (reply.status === 201) {
          notes.push(reply.body.id as string)
          owners.set(reply.body.id as string, actor)
        }
      } else if (roll < 0.55) {
        reply = await system.commands.patch(
          `/notes/${pick(notes)}`,
          pick([
            { body: `edit ${step}` },
            { title: `Title ${step}` },
            { tags: [pick(['a', 'b', 'c', 'd'])] },
          ]),
          { token: actor.token },
        )
      } else if (roll < 0.75) {
        reply = await system.commands.post(
          `/notes/${pick(notes)}/shares`,
          { userId: pick(users).id, permission: pick(['read', 'write']) },
          { token: actor.token },
        )
      } else if (roll < 0.87) {
        reply = await system.commands.delete(`/notes/${pick(notes)}/shares/${pick(users).id}`, {
          token: actor.token,
        })
      } else if (roll < 0.93) {
        const id = pick(notes)
        reply = await system.commands.delete(`/notes/${id}`, { token: ownerMostly(id).token })
      } else {
        reply = await system.commands.patch('/users/me', { name: `Renamed ${step}` }, { token: actor.token })
      }
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
      expect(reply.status).toBeLessThan(500)
    }
    // The mix exercised refusals as well as successes.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 204, 403, 404]))

    const lastSeq = (await system.jsm.streams.info('NOTES')).state.last_seq
    await expect
      .poll(() => system.queryContext.readModels.position('notes')?.seq, { timeout: 15_000 })
      .toBe(lastSeq)
    const { notes: folded, events } = await foldNotes(system.js)

    for (const user of users) {
      const listed = await allPages(system.queries, '/notes?limit=7', user.token)
      expect(listed).toEqual(expectedList(folded, user.id))
    }
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
