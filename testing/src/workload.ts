import type { HttpClient } from './http-client.ts'

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

type Actor = { id: string; token: string }

/**
 * Sends `steps` random commands through the command API: creates, edits of title, body or tags, shares,
 * unshares, deletes (mostly by the owner, sometimes by someone who may not) and renames, by random users.
 * Returns how many replies had each status; a 5xx fails at once.
 */
export const randomCommands = async ({
  api,
  users,
  steps,
  seed,
  existing = [],
}: {
  api: HttpClient
  users: readonly Actor[]
  steps: number
  seed: number
  /** Notes already there, which the commands change too. */
  existing?: readonly { id: string; owner: Actor }[]
}) => {
  const next = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const notes: string[] = existing.map((note) => note.id)
  const owners = new Map<string, Actor>(existing.map((note) => [note.id, note.owner]))
  const ownerMostly = (id: string) => (next() < 0.8 ? (owners.get(id) ?? pick(users)) : pick(users))
  const statuses = new Map<number, number>()

  for (let step = 0; step < steps; step++) {
    const actor = pick(users)
    const roll = next()
    const token = actor.token
    let reply: { status: number; body: Record<string, unknown> }
    if (notes.length === 0 || roll < 0.2) {
      const note = { title: `Note ${step}`, body: `body ${step}`, tags: [pick(['a', 'b', 'c'])] }
      reply = await api.post('/notes', note, { token })
      if (reply.status === 201) {
        notes.push(reply.body.id as string)
        owners.set(reply.body.id as string, actor)
      }
    } else if (roll < 0.55) {
      const change = pick([
        { body: `edit ${step}` },
        { title: `Title ${step}` },
        { tags: [pick(['a', 'b', 'c', 'd'])] },
      ])
      reply = await api.patch(`/notes/${pick(notes)}`, change, { token })
    } else if (roll < 0.75) {
      const share = { userId: pick(users).id, permission: pick(['read', 'write']) }
      reply = await api.post(`/notes/${pick(notes)}/shares`, share, { token })
    } else if (roll < 0.87) {
      reply = await api.delete(`/notes/${pick(notes)}/shares/${pick(users).id}`, { token })
    } else if (roll < 0.93) {
      const id = pick(notes)
      reply = await api.delete(`/notes/${id}`, { token: ownerMostly(id).token })
    } else {
      reply = await api.patch('/users/me', { name: `Renamed ${step}` }, { token })
    }
    if (reply.status >= 500) throw new Error(`step ${step}: ${reply.status} ${JSON.stringify(reply.body)}`)
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
  }
  return statuses
}

/** Creates `count` notes for one user, `concurrency` requests at a time (long lists, quickly). */
export const createManyNotes = async (api: HttpClient, owner: Actor, count: number, concurrency = 16) => {
  const created: { id: string; owner: Actor }[] = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next++
      const tags = [['a', 'b', 'c'][index % 3] as string]
      const reply = await api.post(
        '/notes',
        { title: `Bulk ${index}`, body: '', tags },
        { token: owner.token },
      )
      if (reply.status !== 201)
        throw new Error(`create ${index}: ${reply.status} ${JSON.stringify(reply.body)}`)
      created.push({ id: reply.body.id as string, owner })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return created
}
