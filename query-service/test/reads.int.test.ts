import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let system: RunningSystem
let ann: { id: string; token: string }
let bob: { id: string; token: string }
let eve: { id: string; token: string }

beforeAll(async () => {
  system = await startSystem({ consistencyTimeoutMs: 300 })
  ann = await registerUser(system.commands, 'Ann')
  bob = await registerUser(system.commands, 'Bob')
  eve = await registerUser(system.commands, 'Eve')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

/** A command, then the Consistency-Token that makes the next read see it. */
const write = async (reply: Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>) => {
  const done = await reply
  expect(done.status).toBeLessThan(300)
  return { ...done, token: done.headers.get('consistency-token') ?? '' }
}

describe('reading a note', () => {
  it('shows the owner the note with its version as ETag, and answers 304 to a matching If-None-Match', async () => {
    const created = await write(
      system.commands.post('/notes', { title: 'Mine', body: 'b' }, { token: ann.token }),
    )
    const id = created.body.id as string
    const reply = await system.queries.get(`/notes/${id}`, {
      token: ann.token,
      headers: { 'consistency-token': created.token },
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ id, title: 'Mine', owner: ann.id, version: 1 })
    expect(reply.headers.get('etag')).toBe('"1"')
    expect(reply.headers.get('projection-lag')).toMatch(/^\d+$/)
    const unchanged = await system.queries.get(`/notes/${id}`, {
      token: ann.token,
      headers: { 'if-none-match': '"1"' },
    })
    expect(unchanged.status).toBe(304)
  })

  it('answers 404, never 403, to users it is not shared with, and after unsharing or deleting', async () => {
    const id = await createNote(system.commands, ann.token)
    const shared = await write(
      system.commands.post(
        `/notes/${id}/shares`,
        { userId: bob.id, permission: 'read' },
        { token: ann.token },
      ),
    )
    const asBob = await system.queries.get(`/notes/${id}`, {
      token: bob.token,
      headers: { 'consistency-token': shared.token },
    })
    expect(asBob.status).toBe(200)
    expect((await system.queries.get(`/notes/${id}`, { token: eve.token })).status).toBe(404)

    const unshared = await write(
      system.commands.delete(`/notes/${id}/shares/${bob.id}`, { token: ann.token }),
    )
    const afterUnshare = await system.queries.get(`/notes/${id}`, {
      token: bob.token,
      headers: { 'consistency-token': unshared.token },
    })
    expect(afterUnshare.status).toBe(404)
    expect(afterUnshare.body.type).toBe('urn:jetnotes:problem:not-found')

    const deleted = await write(system.commands.delete(`/notes/${id}`, { token: ann.token }))
    const afterDelete = await system.queries.get(`/notes/${id}`, {
      token: ann.token,
      headers: { 'consistency-token': deleted.token },
    })
    expect(afterDelete.status).toBe(404)
    expect((await system.queries.get('/notes/never-existed', { token: ann.token })).status).toBe(404)
  })

  it('requires a valid bearer token (401) and a valid id (400)', async () => {
    expect((await system.queries.get('/notes/x')).status).toBe(401)
    expect((await system.queries.get('/notes/x', { token: 'nope' })).status).toBe(401)
    expect((await system.queries.get('/notes/a.b', { token: ann.token })).status).toBe(400)
  })
})

describe('listing notes', () => {
  it('lists owned and shared notes, newest first, filtered by tag and title, a page at a time', async () => {
    const owner = await registerUser(system.commands, 'Lister')
    const other = await registerUser(system.commands, 'Sharer')
    const mine = []
    for (let i = 0; i < 5; i++)
      mine.push(
        await createNote(system.commands, owner.token, { title: `Plan ${i}`, tags: i % 2 ? ['odd'] : [] }),
      )
    const theirs = await createNote(system.commands, other.token, { title: 'Shared plan' })
    const last = await write(
      system.commands.post(
        `/notes/${theirs}/shares`,
        { userId: owner.id, permission: 'write' },
        { token: other.token },
      ),
    )
    const headers = { 'consistency-token': last.token }

    const all = await system.queries.get('/notes?limit=100', { token: owner.token, headers })
    expect((all.body.items as { id: string }[]).map((note) => note.id)).toEqual([theirs, ...mine.reverse()])
    expect(all.body.items).toContainEqual(
      expect.objectContaining({ id: theirs, access: 'write', owner: other.id }),
    )
    expect(all.body.nextCursor).toBeNull()

    const odd = await system.queries.get('/notes?tag=odd', { token: owner.token })
    expect((odd.body.items as { title: string }[]).map((note) => note.title)).toEqual(['Plan 3', 'Plan 1'])
    const search = await system.queries.get('/notes?q=SHARED', { token: owner.token })
    expect((search.body.items as { id: string }[]).map((note) => note.id)).toEqual([theirs])

    const pages: string[] = []
    let cursor: string | null = null
    do {
      const path: string = `/notes?limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const reply = await system.queries.get(path, { token: owner.token })
      pages.push(...(reply.body.items as { id: string }[]).map((note) => note.id))
      cursor = reply.body.nextCursor as string | null
    } while (cursor !== null)
    expect(pages).toEqual([theirs, ...mine])
  })

  it('rejects a limit over 100, a forged cursor and unknown parameters with 400', async () => {
    expect((await system.queries.get('/notes?limit=101', { token: ann.token })).status).toBe(400)
    expect((await system.queries.get('/notes?cursor=%%%', { token: ann.token })).status).toBe(400)
    expect((await system.queries.get('/notes?owner=me', { token: ann.token })).status).toBe(400)
  })
})

describe('reading users', () => {
  it('shows a public profile and whether an id is a user one can share with', async () => {
    const user = await registerUser(system.commands, 'Dora')
    const renamed = await write(
      system.commands.patch('/users/me', { name: 'Dorothy' }, { token: user.token }),
    )
    const profile = await system.queries.get(`/users/${user.id}`, {
      token: ann.token,
      headers: { 'consistency-token': renamed.token },
    })
    expect(profile.body).toEqual({ id: user.id, name: 'Dorothy', active: true })
    expect((await system.queries.get(`/users/${user.id}/validate`, { token: ann.token })).body).toEqual({
      valid: true,
    })
    expect((await system.queries.get('/users/nobody/validate', { token: ann.token })).body).toEqual({
      valid: false,
    })
    expect((await system.queries.get('/users/nobody', { token: ann.token })).status).toBe(404)

    const gone = await write(system.commands.delete('/users/me', { token: user.token }))
    const after = await system.queries.get(`/users/${user.id}`, {
      token: ann.token,
      headers: { 'consistency-token': gone.token },
    })
    expect(after.body).toEqual({ id: user.id, name: 'Dorothy', active: false })
    expect((await system.queries.get(`/users/${user.id}/validate`, { token: ann.token })).body).toEqual({
      valid: false,
    })
    expect((await system.queries.get('/notes', { token: user.token })).status).toBe(401)
  })
})

describe('consistency', () => {
  it('answers 503 with Retry-After when the views do not reach the write in time', async () => {
    const last = (await system.jsm.streams.info('NOTES')).state.last_seq
    const { encodeConsistencyToken } = await import('@jetnotes/schemas')
    const future = encodeConsistencyToken({ stream: 'NOTES', seq: last + 1000 })
    const reply = await system.queries.get('/notes', {
      token: ann.token,
      headers: { 'consistency-token': future },
    })
    expect(reply.status).toBe(503)
    expect(reply.headers.get('retry-after')).toBe('1')
  })

  it('rejects a token no command returned with 400', async () => {
    const reply = await system.queries.get('/notes', {
      token: ann.token,
      headers: { 'consistency-token': 'bogus!' },
    })
    expect(reply.status).toBe(400)
  })
})

describe('the service', () => {
  it('is ready, and describes its API at /docs', async () => {
    const standing = {
      generation: 1,
      position: expect.any(Number),
      cachedPosition: expect.any(Number),
      streamSeq: expect.any(Number),
      lag: expect.any(Number),
    }
    expect((await system.queries.get('/readyz')).body).toEqual({
      status: 'ready',
      checks: { nats: true, buckets: true, 'projection-lag': true, parked: true },
      details: {
        'projection-lag': { notes: standing, users: standing },
        parked: { notes: { events: 0, writes: 0 }, users: { events: 0, writes: 0 } },
      },
    })
    const docs = await system.queries.get('/docs/json')
    expect(Object.keys(docs.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/notes',
        '/notes/{id}',
        '/notes/{id}/history',
        '/notes/{id}/versions/{version}',
        '/users/{id}',
      ]),
    )
  })
})
