import { createHash, randomUUID } from 'node:crypto'
import { noteAggregate, subjects } from '@jetnotes/schemas'
import {
  caughtUp,
  createNote,
  expectViewsEqualFold,
  foldNotes,
  type RunningSystem,
  registerUser,
  startCommandServiceProcess,
  startSystem,
} from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveClients, summary } from './live-clients.ts'

/**
 * What a replicated stream on an affected nats-server can let through (nats-server#4320, #8469): a second commit
 * decided on the same version as the one before it, in the log right after it. Forged here with the operator's
 * credentials (a publish without the expectation), since a single server never lets it through.
 */

let system: RunningSystem
let ann: { id: string; token: string }

beforeAll(async () => {
  // A tiny resume history: a reconnecting client is served from the log (the replay path), not from memory.
  system = await startSystem({ liveHistoryBytes: 1 })
  ann = await registerUser(system.commands, 'Ann')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

const live = liveClients(() => system)
afterAll(() => live.closeAll())

/**
 * A commit of one `NoteEdited` event at `version`, published by the operator with no expectation (and with
 * `msgId` as its Nats-Msg-Id, when given).
 */
const forgeEdit = async (
  noteId: string,
  version: number,
  data: { title?: string; body?: string },
  msgId?: string,
) => {
  const event = {
    id: randomUUID(),
    type: 'NoteEdited',
    schemaVersion: noteAggregate.schemaVersions.NoteEdited,
    aggregateId: noteId,
    version,
    actor: ann.id,
    time: new Date().toISOString(),
    correlationId: 'forged-by-the-test',
    data,
  }
  const ack = await system.js.publish(
    subjects.note(noteId),
    JSON.stringify({ events: [event] }),
    msgId === undefined ? {} : { msgID: msgId },
  )
  return ack.seq
}

describe('a commit that repeats the version before it (the loser of a race the server let through)', () => {
  it('is ignored by every fold, listed as refused in the history, and the next edit with the ETag works', async () => {
    const stream = await live.subscribe('/events', ann.token)
    const id = await createNote(system.commands, ann.token, { title: 'Raced', body: 'v1' })
    const edited = await system.commands.patch(
      `/notes/${id}`,
      { body: 'v2' },
      { token: ann.token, headers: { 'if-match': '"1"' } },
    )
    expect(edited.status).toBe(200)
    expect(edited.headers.get('etag')).toBe('"2"')

    const forgedSeq = await forgeEdit(id, 2, { body: 'forged' })
    await caughtUp(system)
    await live.settled()

    // The reads show the note as it was before the forged commit.
    const read = await system.queries.get(`/notes/${id}`, { token: ann.token })
    expect(read.status).toBe(200)
    expect(read.headers.get('etag')).toBe('"2"')
    expect(read.body).toMatchObject({ body: 'v2', version: 2 })
    const list = await system.queries.get('/notes', { token: ann.token })
    expect(
      (list.body.items as { id: string; version: number }[]).find((note) => note.id === id),
    ).toMatchObject({ version: 2 })
    const { notes } = await foldNotes(system.js)
    expect(notes.get(id)).toMatchObject({ body: 'v2', version: 2 })
    await expectViewsEqualFold(system)

    // The command side decides on the same state: the ETag of the reads still works, after the forged position.
    const next = await system.commands.patch(
      `/notes/${id}`,
      { body: 'v3' },
      { token: ann.token, headers: { 'if-match': '"2"' } },
    )
    expect(next.status).toBe(200)
    expect(next.headers.get('etag')).toBe('"3"')
    const stale = await system.commands.patch(
      `/notes/${id}`,
      { body: 'stale' },
      { token: ann.token, headers: { 'if-match': '"2"' } },
    )
    expect(stale.status).toBe(412)
    expect(stale.headers.get('content-type')).toContain('application/problem+json')

    await caughtUp(system)
    await live.settled()
    await expectViewsEqualFold(system)
    const after = await system.queries.get(`/notes/${id}`, { token: ann.token })
    expect(after.body).toMatchObject({ body: 'v3', version: 3 })

    // The live stream never carried it, neither live nor to a client resuming from the log.
    await stream.received(3)
    expect(summary(stream)).toEqual([
      ['NoteCreated', 'v1'],
      ['NoteEdited', 'v2'],
      ['NoteEdited', 'v3'],
    ])
    const createdId = stream.messages[0]?.id ?? ''
    const resumed = await live.subscribe('/events', ann.token, { 'last-event-id': createdId })
    await resumed.received(2)
    await live.settled()
    expect(summary(resumed)).toEqual([
      ['NoteEdited', 'v2'],
      ['NoteEdited', 'v3'],
    ])

    // The history lists it where it is in the log, refused, and no version is made of it.
    const history = await system.queries.get(`/notes/${id}/history`, { token: ann.token })
    expect(history.status).toBe(200)
    const items = history.body.items as Record<string, unknown>[]
    expect(items.map((item) => [item.version, item.refused])).toEqual([
      [1, false],
      [2, false],
      [2, true],
      [3, false],
    ])
    expect(items[2]).toMatchObject({
      position: forgedSeq,
      changes: [{ field: 'body', before: 'v2', after: 'forged' }],
      reason: expect.stringContaining('not 3'),
    })
    expect(items[3]).toMatchObject({ changes: [{ field: 'body', before: 'v2', after: 'v3' }] })
    const firstPage = await system.queries.get(`/notes/${id}/history?limit=3`, { token: ann.token })
    const cursor = firstPage.body.nextCursor as string
    const rest = await system.queries.get(`/notes/${id}/history?limit=3&cursor=${cursor}`, {
      token: ann.token,
    })
    expect((rest.body.items as unknown[]).length).toBe(1)
    expect(rest.body).toMatchObject({ items: [{ version: 3, refused: false }], nextCursor: null })

    const version2 = await system.queries.get(`/notes/${id}/versions/2`, { token: ann.token })
    expect(version2.body).toMatchObject({ body: 'v2', version: 2 })
  })

  it('is refused by a command side that folds the note from the log afresh', async () => {
    const id = await createNote(system.commands, ann.token, { title: 'Created', body: 'v1' })
    await forgeEdit(id, 1, { title: 'forged over the creation' })
    // A second command-service process has nothing cached: it folds the log, refused commit included, and
    // decides on version 1.
    await using other = await startCommandServiceProcess(system.nats)
    const stale = await other.api.patch(
      `/notes/${id}`,
      { body: 'x' },
      { token: ann.token, headers: { 'if-match': '"2"' } },
    )
    expect(stale.status).toBe(412)
    const edit = await other.api.patch(
      `/notes/${id}`,
      { body: 'v2' },
      { token: ann.token, headers: { 'if-match': '"1"' } },
    )
    expect(edit.status).toBe(200)
    expect(edit.body).toMatchObject({ title: 'Created', body: 'v2', version: 2 })
  })

  it('answers 412 to a retried command whose original is in the log but refused, not a replayed success', async () => {
    const id = await createNote(system.commands, ann.token, { title: 'Created', body: 'v1' })
    // The original of a retry: appended under the Idempotency-Key's message id, but it lost the race.
    const key = 'retry-of-a-refused-edit'
    const msgId = createHash('sha256').update(`${ann.id}\n${key}`).digest('hex')
    await forgeEdit(id, 1, { body: 'lost' }, msgId)
    const retry = await system.commands.patch(
      `/notes/${id}`,
      { body: 'lost' },
      { token: ann.token, headers: { 'idempotency-key': key } },
    )
    expect(retry.status).toBe(412)
    const next = await system.commands.patch(`/notes/${id}`, { body: 'v2' }, { token: ann.token })
    expect(next.body).toMatchObject({ body: 'v2', version: 2 })
  })
})
