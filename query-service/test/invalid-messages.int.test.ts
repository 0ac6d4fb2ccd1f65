import { Writable } from 'node:stream'
import { invalidMessageLogLine } from '@jetnotes/platform'
import { subjects } from '@jetnotes/schemas'
import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveClients, summary } from './live-clients.ts'

// Every service of this system logs into `logged`, so a test can read what was reported. Almost no live
// history is kept in memory, so a resume is replayed from the log.
const logged: Record<string, unknown>[] = []
const logger = pino(
  { level: 'warn' },
  new Writable({
    write(line: Buffer, _encoding, done) {
      logged.push(JSON.parse(line.toString()) as Record<string, unknown>)
      done()
    },
  }),
)

/** The reports of invalid messages one reader of the log made. */
const reportsBy = (reader: string) =>
  logged.filter((line) => line.msg === invalidMessageLogLine && line.reader === reader)

let system: RunningSystem
let ann: { id: string; token: string }
beforeAll(async () => {
  system = await startSystem({ logger, liveHistoryBytes: 1 })
  ann = await registerUser(system.commands, 'Ann')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})
const live = liveClients(() => system)
const { subscribe, settled, closeAll } = live
afterAll(() => closeAll())

/** Appends to a note's subject around the command-service, as a buggy or older writer might. */
const publishInvalid = async (noteId: string, payload: string) => {
  const { seq } = await system.js.publish(subjects.note(noteId), payload)
  return { stream: 'NOTES', seq, subject: subjects.note(noteId) }
}

const edit = async (noteId: string, body: string) => {
  const reply = await system.commands.patch(`/notes/${noteId}`, { body }, { token: ann.token })
  expect(reply.status).toBe(200)
  return { 'consistency-token': reply.headers.get('consistency-token') ?? '' }
}

describe('a message in NOTES that is not a valid commit', () => {
  it('is reported by the live hub, and the valid changes around it still arrive', async () => {
    const stream = await subscribe('/events', ann.token)
    const id = await createNote(system.commands, ann.token, { body: 'before' })
    const invalid = await publishInvalid(id, 'garbage')
    // The command side meets it too when it reloads the note: it reports it and decides on the rest.
    await edit(id, 'after')

    await stream.received(2)
    await settled()
    expect(summary(stream)).toEqual([
      ['NoteCreated', 'before'],
      ['NoteEdited', 'after'],
    ])
    const report = { ...invalid, level: 40, reason: expect.stringMatching(/^not JSON: /) }
    expect(reportsBy('live-hub')).toContainEqual(expect.objectContaining(report))
    expect(reportsBy('note-repository')).toContainEqual(expect.objectContaining(report))
  })

  it('is reported by the history and versions routes, which show the valid changes around it', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'before' })
    const invalid = await publishInvalid(id, JSON.stringify({ events: [{ type: 'NoteExploded' }] }))
    const headers = await edit(id, 'after')

    const history = await system.queries.get(`/notes/${id}/history`, { token: ann.token, headers })
    expect(history.status).toBe(200)
    const items = history.body.items as { version: number; type: string }[]
    expect(items.map((item) => [item.version, item.type])).toEqual([
      [1, 'NoteCreated'],
      [2, 'NoteEdited'],
    ])
    const report = { ...invalid, level: 40, reason: expect.stringMatching(/^events\.0\./) }
    expect(reportsBy('note-history')).toContainEqual(expect.objectContaining(report))

    const reportsBefore = reportsBy('note-history').length
    const version = await system.queries.get(`/notes/${id}/versions/2`, { token: ann.token, headers })
    expect(version.status).toBe(200)
    expect(version.body).toMatchObject({ body: 'after', version: 2 })
    expect(reportsBy('note-history').length).toBe(reportsBefore + 1)
  })

  it('is reported by a resume replayed from the log, which still replays the valid changes', async () => {
    const id = await createNote(system.commands, ann.token, { body: 'start' })
    const first = await subscribe(`/notes/${id}/events`, ann.token)
    await edit(id, 'seen')
    await first.received(1)
    const lastId = first.messages.at(-1)?.id ?? ''
    first.close()

    const invalid = await publishInvalid(id, 'garbage')
    await edit(id, 'missed 1')
    await edit(id, 'missed 2')
    await settled()
    const resumed = await subscribe(`/notes/${id}/events`, ann.token, { 'last-event-id': lastId })
    await resumed.received(2)

    expect(summary(resumed)).toEqual([
      ['NoteEdited', 'missed 1'],
      ['NoteEdited', 'missed 2'],
    ])
    expect(reportsBy('live-replay')).toContainEqual(expect.objectContaining(invalid))
  })
})

describe('a message in USERS that is not a valid commit', () => {
  it('is reported by the user directory, and the account goes on working', async () => {
    const dee = await registerUser(system.commands, 'Dee')
    const { seq } = await system.js.publish(subjects.user(dee.id), 'garbage')
    const renamed = await system.commands.patch('/users/me', { name: 'Dee Two' }, { token: dee.token })
    expect(renamed.status).toBe(200)

    const headers = { 'consistency-token': renamed.headers.get('consistency-token') ?? '' }
    const user = await system.queries.get(`/users/${dee.id}`, { token: dee.token, headers })
    expect(user.status).toBe(200)
    expect(user.body).toMatchObject({ name: 'Dee Two' })
    expect(reportsBy('user-directory')).toContainEqual(
      expect.objectContaining({ stream: 'USERS', seq, subject: subjects.user(dee.id) }),
    )
  })
})
