import {
  createNote,
  openEventStream,
  type Reply,
  type RunningSystem,
  registerUser,
  startSystem,
} from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let system: RunningSystem
let owner: { id: string; token: string }
let readBefore: string
let neverRead: string

beforeAll(async () => {
  system = await startSystem()
  owner = await registerUser(system.commands, 'Owner')
  const created = await system.commands.post(
    '/notes',
    { title: 'Read before', body: '' },
    { token: owner.token },
  )
  readBefore = created.body.id as string
  neverRead = await createNote(system.commands, owner.token, { title: 'Never read' })
  // Waits for the views to hold the note; the read after it puts the note in the query-service's cache of the
  // view, which its watch keeps current.
  const consistencyToken = created.headers.get('consistency-token') ?? ''
  const fresh = await system.queries.get(`/notes/${readBefore}`, {
    token: owner.token,
    headers: { 'consistency-token': consistencyToken },
  })
  if (fresh.status !== 200) throw new Error(`read before: ${fresh.status}`)
  await system.queries.get(`/notes/${readBefore}`, { token: owner.token })
  await system.nats.kill()
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

const expectUnavailable = (reply: Reply) => {
  expect(reply.status).toBe(503)
  expect(reply.headers.get('content-type')).toContain('application/problem+json')
  expect(reply.body.type).toBe('urn:jetnotes:problem:unavailable')
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0)
}

describe('while nats-server is away', () => {
  it('both services say they are not ready, naming NATS', async () => {
    for (const api of [system.commands, system.queries]) {
      await expect.poll(async () => (await api.get('/readyz')).status).toBe(503)
      const { body } = await api.get('/readyz')
      expect(body.type).toBe('urn:jetnotes:problem:not-ready')
      expect((body.checks as Record<string, boolean>).nats).toBe(false)
    }
  })

  it('a command is answered 503 problem+json with Retry-After at once, not after a NATS timeout', async () => {
    const asked = Date.now()
    expectUnavailable(
      await system.commands.post('/notes', { title: 'Lost?', body: '' }, { token: owner.token }),
    )
    expectUnavailable(
      await system.commands.patch(`/notes/${readBefore}`, { body: 'edit' }, { token: owner.token }),
    )
    // A NATS request would wait 5 s for its timeout; these were refused without one.
    expect(Date.now() - asked).toBeLessThan(3_000)
  })

  it('a read the cache holds is answered; one that needs the bucket is 503 problem+json at once', async () => {
    const asked = Date.now()
    const cached = await system.queries.get(`/notes/${readBefore}`, { token: owner.token })
    expect(cached.status).toBe(200)
    expect(cached.body.title).toBe('Read before')
    expectUnavailable(await system.queries.get(`/notes/${neverRead}`, { token: owner.token }))
    expect(Date.now() - asked).toBeLessThan(3_000)
  })
})

describe('when nats-server is back', () => {
  it('commands, reads and readiness recover by themselves', async () => {
    await system.nats.restart()
    await expect
      .poll(
        async () =>
          (await system.commands.post('/notes', { title: 'Back', body: '' }, { token: owner.token })).status,
        {
          timeout: 15_000,
        },
      )
      .toBe(201)
    for (const api of [system.commands, system.queries])
      await expect.poll(async () => (await api.get('/readyz')).status, { timeout: 15_000 }).toBe(200)
    const read = await system.queries.get(`/notes/${neverRead}`, { token: owner.token })
    expect(read.status).toBe(200)
  })

  it('both services know a user who registers after it, and show the changes live', async () => {
    const newcomer = await registerUser(system.commands, 'Newcomer')
    const stream = await openEventStream(`${system.queries.base}/events`, {
      authorization: `Bearer ${newcomer.token}`,
    })
    try {
      expect(stream.status).toBe(200)
      const id = await createNote(system.commands, newcomer.token, { title: 'After the restart' })
      await stream.received(1)
      expect(stream.messages[0]?.data.noteId).toBe(id)
    } finally {
      stream.close()
    }
  })
})
