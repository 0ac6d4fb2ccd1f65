import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectionStatus } from '@jetnotes/projector'
import { type ParkedWrite, parkedBucket } from '@jetnotes/schemas'
import { createNote, readBucket, registerUser, startNatsServer, startSystem } from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

/** A nats-server whose messages may be at most 64 KiB, so one long page of summaries cannot be written. */
const smallPayloadServer = async () => {
  const configFile = join(tmpdir(), `jetnotes-small-payload-${process.pid}-${Date.now()}.conf`)
  await writeFile(configFile, 'max_payload: 65536\n')
  return startNatsServer({ configFile })
}

// Summaries as large as a note allows (a 200-character title, 20 tags of 40 characters): about 1.1 KB each, so
// a page of 128 passes 64 KiB after about 55 notes, while every event stays far below it.
const largeNote = (index: number) => ({
  title: `${String(index).padStart(4, '0')} ${'t'.repeat(195)}`,
  body: '',
  tags: Array.from({ length: 20 }, (_, tag) => `${String(tag).padStart(2, '0')}${'x'.repeat(38)}`),
})

describe('a read-model write that keeps failing for one user', () => {
  it('is parked with its reason while every other user and entry goes on', { timeout: 120_000 }, async () => {
    await using nats = await smallPayloadServer()
    await using system = await startSystem({ nats })
    const big = await registerUser(system.commands, 'Big lists')
    const other = await registerUser(system.commands, 'Bystander')

    const created: string[] = []
    for (let index = 0; index < 70; index++) {
      const reply = await system.commands.post('/notes', largeNote(index), { token: big.token })
      expect(reply.status).toBe(201)
      created.push(reply.body.id as string)
    }
    // The big user's list cannot be written any more: parked, with the reason.
    await expect
      .poll(async () => [...(await readBucket<ParkedWrite>(system.js, parkedBucket)).values()], {
        timeout: 30_000,
      })
      .toContainEqual(
        expect.objectContaining({
          kind: 'write',
          projection: 'notes',
          reason: expect.stringMatching(/max_payload/),
        }),
      )

    // Everyone else goes on: the other user's notes appear in their list, and the big user's own notes are
    // still readable one by one (only their list is behind).
    for (let index = 0; index < 5; index++) {
      const id = await createNote(system.commands, other.token, { title: `Mine ${index}` })
      await expect
        .poll(async () => (await system.queries.get('/notes', { token: other.token })).body.items, {
          timeout: 10_000,
        })
        .toContainEqual(expect.objectContaining({ id }))
    }
    const last = created.at(-1) as string
    await expect
      .poll(async () => (await system.queries.get(`/notes/${last}`, { token: big.token })).status, {
        timeout: 10_000,
      })
      .toBe(200)

    const status = await projectionStatus(system.jsm, system.generations)
    expect(status.find((entry) => entry.projection === 'notes')).toMatchObject({ parked: 0, lag: 0 })
    expect(status.find((entry) => entry.projection === 'notes')?.parkedWrites).toBeGreaterThan(0)
    // /readyz reports it, and stays ready: everything else is served.
    await expect
      .poll(async () => {
        const ready = await system.queries.get('/readyz')
        return [
          ready.status,
          (ready.body.details as { parked: { notes: { writes: number } } }).parked.notes.writes,
        ]
      })
      .toEqual([200, expect.any(Number)])
    const ready = await system.queries.get('/readyz')
    expect(
      (ready.body.details as { parked: { notes: { writes: number } } }).parked.notes.writes,
    ).toBeGreaterThan(0)
  })
})
