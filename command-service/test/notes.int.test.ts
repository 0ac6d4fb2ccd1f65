import { decodeConsistencyToken } from '@jetnotes/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CommandService,
  createNote,
  registerUser,
  startCommandService,
} from './command-service-fixture.ts'

let service: CommandService
let ann: { id: string; token: string }
let bob: { id: string; token: string }
let eve: { id: string; token: string }

beforeAll(async () => {
  service = await startCommandService()
  ann = await registerUser(service.api, 'Ann')
  bob = await registerUser(service.api, 'Bob')
  eve = await registerUser(service.api, 'Eve')
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

describe('creating a note', () => {
  it('answers 201 with the note, ETag "1", Location and a Consistency-Token naming the event', async () => {
    const reply = await service.api.post(
      '/notes',
      { title: 'Plan', body: 'Steps', tags: ['Work', 'work'] },
      { token: ann.token },
    )
    expect(reply.status).toBe(201)
    const id = reply.body.id as string
    expect(reply.body).toMatchObject({
      title: 'Plan',
      body: 'Steps',
      tags: ['work'],
      owner: ann.id,
      version: 1,
      shares: [],
    })
    expect(reply.headers.get('etag')).toBe('"1"')
    expect(reply.headers.get('location')).toBe(`/notes/${id}`)
    const position = decodeConsistencyToken(reply.headers.get('consistency-token') ?? '')
    const stored = await service.jsm.direct.getMessage('NOTES', { last_by_subj: `notes.${id}` })
    expect(position).toEqual({ stream: 'NOTES', seq: stored?.seq })
    const commit = stored?.json<{ events: Record<string, unknown>[] }>()
    expect(commit?.events).toEqual([
      expect.objectContaining({
        type: 'NoteCreated',
        schemaVersion: 2,
        aggregateId: id,
        version: 1,
        actor: ann.id,
        correlationId: reply.headers.get('x-request-id'),
        data: { title: 'Plan', body: 'Steps', tags: ['work'] },
      }),
    ])
  })
})

describe('editing a note', () => {
  it('answers 200 with the new version and ETag when If-Match is current', async () => {
    const id = await createNote(service.api, ann.token)
    const reply = await service.api.patch(
      `/notes/${id}`,
      { body: 'changed' },
      { token: ann.token, headers: { 'if-match': '"1"' } },
    )
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ id, version: 2, body: 'changed' })
    expect(reply.headers.get('etag')).toBe('"2"')
  })

  it('answers 412 for a stale If-Match and appends nothing', async () => {
    const id = await createNote(service.api, ann.token)
    await service.api.patch(`/notes/${id}`, { body: 'v2' }, { token: ann.token })
    const reply = await service.api.patch(
      `/notes/${id}`,
      { body: 'v3' },
      { token: ann.token, headers: { 'if-match': '"1"' } },
    )
    expect(reply.status).toBe(412)
    expect(reply.body).toMatchObject({ type: 'urn:jetnotes:problem:version-conflict', currentVersion: 2 })
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(2)
  })

  it('appends nothing when the edit changes nothing, and answers with the current version', async () => {
    const id = await createNote(service.api, ann.token, { title: 'Same' })
    const reply = await service.api.patch(`/notes/${id}`, { title: 'Same' }, { token: ann.token })
    expect(reply.status).toBe(200)
    expect(reply.body.version).toBe(1)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(1)
  })

  it('answers 404 to a user the note is not shared with, and for a note that does not exist', async () => {
    const id = await createNote(service.api, ann.token)
    expect((await service.api.patch(`/notes/${id}`, { body: 'x' }, { token: eve.token })).status).toBe(404)
    expect((await service.api.patch('/notes/no-such-note', { body: 'x' }, { token: ann.token })).status).toBe(
      404,
    )
  })
})

describe('sharing a note', () => {
  it('lets a read-only sharee see but not edit (403), and a writer edit', async () => {
    const id = await createNote(service.api, ann.token)
    const shared = await service.api.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'read' },
      { token: ann.token },
    )
    expect(shared.status).toBe(200)
    expect(shared.body.shares).toEqual([{ userId: bob.id, permission: 'read' }])
    expect((await service.api.patch(`/notes/${id}`, { body: 'bob' }, { token: bob.token })).status).toBe(403)

    await service.api.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'write' },
      { token: ann.token },
    )
    const edited = await service.api.patch(`/notes/${id}`, { body: 'bob' }, { token: bob.token })
    expect(edited.status).toBe(200)
    expect(edited.body.updatedBy).toBe(bob.id)
  })

  it('lets only the owner share, unshare and delete (403 for a writer)', async () => {
    const id = await createNote(service.api, ann.token)
    await service.api.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'write' },
      { token: ann.token },
    )
    const before = await service.subjectCount('NOTES', `notes.${id}`)
    expect(
      (
        await service.api.post(
          `/notes/${id}/shares`,
          { userId: eve.id, permission: 'read' },
          { token: bob.token },
        )
      ).status,
    ).toBe(403)
    expect((await service.api.delete(`/notes/${id}/shares/${bob.id}`, { token: bob.token })).status).toBe(403)
    expect((await service.api.delete(`/notes/${id}`, { token: bob.token })).status).toBe(403)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(before)
  })

  it('refuses to share with an unknown user or the owner (422)', async () => {
    const id = await createNote(service.api, ann.token)
    const unknown = await service.api.post(
      `/notes/${id}/shares`,
      { userId: 'nobody', permission: 'read' },
      { token: ann.token },
    )
    expect(unknown.status).toBe(422)
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'userId' })])
    const owner = await service.api.post(
      `/notes/${id}/shares`,
      { userId: ann.id, permission: 'read' },
      { token: ann.token },
    )
    expect(owner.status).toBe(422)
  })

  it('unshares with 204, after which the former sharee gets 404', async () => {
    const id = await createNote(service.api, ann.token)
    await service.api.post(
      `/notes/${id}/shares`,
      { userId: bob.id, permission: 'write' },
      { token: ann.token },
    )
    expect((await service.api.delete(`/notes/${id}/shares/${bob.id}`, { token: ann.token })).status).toBe(204)
    expect((await service.api.patch(`/notes/${id}`, { body: 'x' }, { token: bob.token })).status).toBe(404)
  })
})

describe('deleting a note', () => {
  it('answers 204; afterwards the note is gone for commands (404) but its events stay', async () => {
    const id = await createNote(service.api, ann.token)
    const reply = await service.api.delete(`/notes/${id}`, {
      token: ann.token,
      headers: { 'if-match': '"1"' },
    })
    expect(reply.status).toBe(204)
    expect(reply.headers.get('consistency-token')).toBeTruthy()
    expect((await service.api.patch(`/notes/${id}`, { body: 'x' }, { token: ann.token })).status).toBe(404)
    expect((await service.api.delete(`/notes/${id}`, { token: ann.token })).status).toBe(404)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(2)
  })
})

describe('the service', () => {
  it('reports health, readiness and its OpenAPI description', async () => {
    expect((await service.api.get('/healthz')).body).toEqual({ status: 'ok' })
    expect((await service.api.get('/readyz')).body).toEqual({
      status: 'ready',
      checks: { nats: true, streams: true },
    })
    const docs = await service.api.get('/docs/json')
    expect(Object.keys(docs.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/users',
        '/users/me',
        '/users/me/token',
        '/notes',
        '/notes/{id}',
        '/notes/{id}/shares',
      ]),
    )
  })
})
