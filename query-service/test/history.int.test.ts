import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let system: RunningSystem
let ann: { id: string; token: string }
let bob: { id: string; token: string }

beforeAll(async () => {
  system = await startSystem()
  ann = await registerUser(system.commands, 'Ann')
  bob = await registerUser(system.commands, 'Bob')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

/** Waits until the views include the command's write. */
const settled = async (reply: Promise<{ status: number; headers: Headers }>) => {
  const done = await reply
  expect(done.status).toBeLessThan(300)
  return { 'consistency-token': done.headers.get('consistency-token') ?? '' }
}

describe("a note's history", () => {
  it('lists every change in order with actor, position and each field before and after', async () => {
    const id = await createNote(system.commands, ann.token, { title: 'Draft', body: 'one', tags: ['x'] })
    await system.commands.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'write' },
      { token: ann.token },
    )
    await system.commands.patch(`/notes/${id}`, { body: 'two', tags: ['y'] }, { token: bob.token })
    const headers = await settled(
      system.commands.delete(`/notes/${id}/shares/${bob.id}`, { token: ann.token }),
    )

    const reply = await system.queries.get(`/notes/${id}/history`, { token: ann.token, headers })
    expect(reply.status).toBe(200)
    const items = reply.body.items as Record<string, unknown>[]
    expect(items.map((item) => [item.version, item.type])).toEqual([
      [1, 'NoteCreated'],
      [2, 'NoteShared'],
      [3, 'NoteEdited'],
      [4, 'NoteUnshared'],
    ])
    expect(items[2]).toMatchObject({
      actor: { id: bob.id, name: 'Bob' },
      changes: [
        { field: 'body', before: 'one', after: 'two' },
        { field: 'tags', before: ['x'], after: ['y'] },
      ],
    })
    expect(items[1]?.changes).toEqual([{ field: `shares.${bob.id}`, before: null, after: 'write' }])
    expect(items[3]?.changes).toEqual([{ field: `shares.${bob.id}`, before: 'write', after: null }])
    const positions = items.map((item) => item.position as number)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    const stored = await system.jsm.direct.getMessage('NOTES', { last_by_subj: `notes.${id}` })
    expect(positions.at(-1)).toBe(stored?.seq)
  })

  it('pages through a long history with a cursor', async () => {
    const id = await createNote(system.commands, ann.token)
    for (let i = 0; i < 11; i++)
      await system.commands.patch(`/notes/${id}`, { body: `edit ${i}` }, { token: ann.token })
    const versions: number[] = []
    let cursor: string | null = null
    do {
      const path: string = `/notes/${id}/history?limit=5${cursor ? `&cursor=${cursor}` : ''}`
      const reply = await system.queries.get(path, { token: ann.token })
      versions.push(...(reply.body.items as { version: number }[]).map((item) => item.version))
      cursor = reply.body.nextCursor as string | null
    } while (cursor !== null)
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
  })

  it('stays readable by the owner after the note is deleted, and by nobody else', async () => {
    const id = await createNote(system.commands, ann.token)
    await system.commands.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'read' },
      { token: ann.token },
    )
    const headers = await settled(system.commands.delete(`/notes/${id}`, { token: ann.token }))
    const owner = await system.queries.get(`/notes/${id}/history`, { token: ann.token, headers })
    expect(owner.status).toBe(200)
    expect((owner.body.items as { type: string }[]).at(-1)).toMatchObject({
      type: 'NoteDeleted',
      changes: [{ field: 'deleted', before: false, after: true }],
    })
    expect((await system.queries.get(`/notes/${id}/history`, { token: bob.token })).status).toBe(404)
  })
})

describe('a past version of a note', () => {
  it('is the note as it was at that version, folded from the log', async () => {
    const id = await createNote(system.commands, ann.token, { title: 'v1', body: 'first' })
    await system.commands.patch(`/notes/${id}`, { title: 'v2' }, { token: ann.token })
    const headers = await settled(
      system.commands.patch(`/notes/${id}`, { body: 'third' }, { token: ann.token }),
    )
    const first = await system.queries.get(`/notes/${id}/versions/1`, { token: ann.token, headers })
    expect(first.body).toMatchObject({ id, title: 'v1', body: 'first', version: 1, deleted: false })
    expect(first.headers.get('etag')).toBe('"1"')
    const second = await system.queries.get(`/notes/${id}/versions/2`, { token: ann.token })
    expect(second.body).toMatchObject({ title: 'v2', body: 'first', version: 2 })
    expect((await system.queries.get(`/notes/${id}/versions/4`, { token: ann.token })).status).toBe(404)
    expect((await system.queries.get(`/notes/${id}/versions/0`, { token: ann.token })).status).toBe(400)
    expect((await system.queries.get(`/notes/${id}/versions/1`, { token: bob.token })).status).toBe(404)
  })
})
