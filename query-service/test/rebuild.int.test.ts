import { projectionCatalog, rebuildProjection } from '@jetnotes/projector'
import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let system: RunningSystem
beforeAll(async () => {
  system = await startSystem()
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

describe('rebuilding the projections while queries go on', () => {
  it('serves every read from one consistent generation (no 5xx, no change) and ends with equal views', async () => {
    const users: Awaited<ReturnType<typeof registerUser>>[] = []
    for (let i = 0; i < 4; i++) users.push(await registerUser(system.commands, `Reader ${i}`))
    const notes: string[] = []
    for (let i = 0; i < 60; i++) {
      const owner = users[i % users.length] ?? users[0]
      if (owner === undefined) throw new Error('no users')
      const id = await createNote(system.commands, owner.token, { title: `Note ${i}`, tags: [`t${i % 3}`] })
      notes.push(id)
      await system.commands.patch(`/notes/${id}`, { body: `edited ${i}` }, { token: owner.token })
      const other = users[(i + 1) % users.length]
      if (other && i % 2 === 0) {
        await system.commands.post(
          `/notes/${id}/shares`,
          { userId: other.id, permission: 'read' },
          { token: owner.token },
        )
      }
    }
    const lastSeq = (await system.jsm.streams.info('NOTES')).state.last_seq
    await expect
      .poll(() => system.queryContext.readModels.position('notes')?.seq, { timeout: 15_000 })
      .toBe(lastSeq)

    /** Everything the API shows: each user's list, and each note as each user sees it. */
    const snapshot = async () => {
      const lists = await Promise.all(
        users.map((user) => system.queries.get('/notes?limit=100', { token: user.token })),
      )
      const reads = await Promise.all(
        notes.flatMap((id) => users.map((user) => system.queries.get(`/notes/${id}`, { token: user.token }))),
      )
      const profiles = await Promise.all(
        users.map((user) => system.queries.get(`/users/${user.id}`, { token: user.token })),
      )
      return [...lists, ...reads, ...profiles].map((reply) => [reply.status, reply.body])
    }
    const before = await snapshot()

    let reading = true
    const seen: { status: number; matches: boolean }[] = []
    const readers = Array.from({ length: 4 }, async (_, r) => {
      let i = r
      while (reading) {
        const id = notes[i % notes.length] ?? ''
        const user = users[i % users.length]
        if (user === undefined) break
        const one = await system.queries.get(`/notes/${id}`, { token: user.token })
        const position = (i % notes.length) * users.length + (i % users.length)
        const expected = before[users.length + position]
        seen.push({
          status: one.status,
          matches: JSON.stringify([one.status, one.body]) === JSON.stringify(expected),
        })
        const list = await system.queries.get('/notes?limit=100', { token: user.token })
        seen.push({
          status: list.status,
          matches: JSON.stringify([list.status, list.body]) === JSON.stringify(before[i % users.length]),
        })
        i += 4
      }
    })

    const progress: string[] = []
    for (const projection of ['notes', 'users'] as const) {
      const result = await rebuildProjection(system, projectionCatalog[projection], {
        graceMs: 300,
        onProgress: (step) => progress.push(`${projection}:${step.phase}`),
      })
      expect(result).toMatchObject({ from: 1, to: 2 })
    }
    reading = false
    await Promise.all(readers)

    expect(seen.length).toBeGreaterThan(20)
    expect(seen.filter((read) => read.status >= 500)).toEqual([])
    expect(seen.filter((read) => !read.matches)).toEqual([])
    expect(progress).toEqual(
      expect.arrayContaining(['notes:replay', 'notes:write', 'notes:switch', 'users:replay']),
    )
    expect(system.queryContext.readModels.view().generations).toEqual({ notes: 2, users: 2 })
    expect(await snapshot()).toEqual(before)
    await expect(system.jsm.streams.info('KV_notes-g1')).rejects.toThrow()
  })
})
