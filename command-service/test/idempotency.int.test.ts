import { createHash } from 'node:crypto'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestFingerprint } from '../src/idempotency/fingerprint.ts'
import {
  type CommandService,
  createNote,
  registerUser,
  startCommandService,
} from './command-service-fixture.ts'

let service: CommandService
beforeAll(async () => {
  service = await startCommandService()
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

describe('a retried command with the same Idempotency-Key', () => {
  it('returns the first response again and appends one event in all', async () => {
    const ann = await registerUser(service.api)
    const headers = { 'idempotency-key': 'create-1' }
    const first = await service.api.post('/notes', { title: 'Once', body: '' }, { token: ann.token, headers })
    const before = await service.messageCount('NOTES')
    const second = await service.api.post(
      '/notes',
      { title: 'Once', body: '' },
      { token: ann.token, headers },
    )
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(second.body).toEqual(first.body)
    expect(second.headers.get('location')).toBe(first.headers.get('location'))
    expect(second.headers.get('consistency-token')).toBe(first.headers.get('consistency-token'))
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(await service.messageCount('NOTES')).toBe(before)
    expect(await service.subjectCount('NOTES', `notes.${first.body.id}`)).toBe(1)
  })

  it('replays an edit instead of answering 412 for the If-Match it already satisfied', async () => {
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    const options = { token: ann.token, headers: { 'idempotency-key': 'edit-1', 'if-match': '"1"' } }
    const first = await service.api.patch(`/notes/${id}`, { body: 'new' }, options)
    const retry = await service.api.patch(`/notes/${id}`, { body: 'new' }, options)
    expect(first.status).toBe(200)
    expect(retry.status).toBe(200)
    expect(retry.body).toEqual(first.body)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(2)
  })

  it('answers 422 when the key comes back with a different request, and appends nothing', async () => {
    const ann = await registerUser(service.api)
    const headers = { 'idempotency-key': 'reused' }
    await service.api.post('/notes', { title: 'First', body: '' }, { token: ann.token, headers })
    const before = await service.messageCount('NOTES')
    const reply = await service.api.post(
      '/notes',
      { title: 'Second', body: '' },
      { token: ann.token, headers },
    )
    expect(reply.status).toBe(422)
    expect(reply.body.type).toBe('urn:jetnotes:problem:idempotency-key-reused')
    expect(await service.messageCount('NOTES')).toBe(before)
  })

  it('keeps keys apart per user', async () => {
    const ann = await registerUser(service.api)
    const bob = await registerUser(service.api)
    const headers = { 'idempotency-key': 'shared-key' }
    const a = await service.api.post('/notes', { title: 'A', body: '' }, { token: ann.token, headers })
    const b = await service.api.post('/notes', { title: 'B', body: '' }, { token: bob.token, headers })
    expect(b.status).toBe(201)
    expect(b.body.id).not.toBe(a.body.id)
  })

  it('replays a registration, token included, without registering twice', async () => {
    const headers = { 'idempotency-key': 'register-dee' }
    const body = { name: 'Dee', email: 'dee@example.com' }
    const first = await service.api.post('/users', body, { headers })
    const before = await service.messageCount('USERS')
    const retry = await service.api.post('/users', body, { headers })
    expect(retry.status).toBe(201)
    expect(retry.body).toEqual(first.body)
    expect(await service.messageCount('USERS')).toBe(before)
  })

  it('rejects a malformed key with 400', async () => {
    const ann = await registerUser(service.api)
    const reply = await service.api.post(
      '/notes',
      { title: 'A', body: '' },
      { token: ann.token, headers: { 'idempotency-key': 'x'.repeat(256) } },
    )
    expect(reply.status).toBe(400)
  })
})

describe('a retry after the process died between the append and recording the response', () => {
  const recordKey = (userId: string, key: string) =>
    createHash('sha256').update(`${userId}\n${key}`).digest('hex')

  it('finds the appended message in the log and answers from it, appending nothing', async () => {
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    const key = 'crashed-edit'
    const digest = recordKey(ann.id, key)
    // What the dead process left behind: its pending record and its message, but no "done" record.
    const kv = await new Kvm(jetstream(service.nc)).open('idempotency')
    const now = new Date().toISOString()
    const view = { id, title: 'A note', body: 'crashed', tags: [], owner: ann.id, shares: [], version: 2 }
    const body = { ...view, createdAt: now, createdBy: ann.id, updatedAt: now, updatedBy: ann.id }
    const response = { status: 200, body, headers: { etag: '"2"' } }
    const fingerprint = fingerprintOf(`/notes/${id}`, { body: 'crashed' })
    await kv.put(
      digest,
      JSON.stringify({
        state: 'pending',
        fingerprint,
        startedAt: Date.now() - 60_000,
        plan: { stream: 'NOTES', subject: `notes.${id}`, expectedSeq: await lastSeq(id), response },
      }),
    )
    await jetstream(service.nc).publish(
      `notes.${id}`,
      JSON.stringify({
        events: [
          {
            id: 'evt-crashed',
            type: 'NoteEdited',
            schemaVersion: 1,
            aggregateId: id,
            version: 2,
            actor: ann.id,
            time: new Date().toISOString(),
            correlationId: 'dead-request',
            data: { body: 'crashed' },
          },
        ],
      }),
      { msgID: digest },
    )
    const before = await service.subjectCount('NOTES', `notes.${id}`)

    const retry = await service.api.patch(
      `/notes/${id}`,
      { body: 'crashed' },
      { token: ann.token, headers: { 'idempotency-key': key } },
    )
    expect(retry.status).toBe(200)
    expect(retry.body).toEqual(body)
    expect(retry.headers.get('etag')).toBe('"2"')
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(before)
  })

  it('runs the command when the log shows it never landed', async () => {
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    const key = 'never-landed'
    const kv = await new Kvm(jetstream(service.nc)).open('idempotency')
    await kv.put(
      recordKey(ann.id, key),
      JSON.stringify({
        state: 'pending',
        fingerprint: fingerprintOf(`/notes/${id}`, { body: 'landed now' }),
        startedAt: Date.now() - 60_000,
        plan: {
          stream: 'NOTES',
          subject: `notes.${id}`,
          expectedSeq: await lastSeq(id),
          response: { status: 200, headers: {} },
        },
      }),
    )
    const retry = await service.api.patch(
      `/notes/${id}`,
      { body: 'landed now' },
      { token: ann.token, headers: { 'idempotency-key': key } },
    )
    expect(retry.status).toBe(200)
    expect(retry.body).toMatchObject({ body: 'landed now', version: 2 })
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(2)
  })

  const lastSeq = async (id: string) =>
    (await service.jsm.direct.getMessage('NOTES', { last_by_subj: `notes.${id}` }))?.seq ?? 0
})

/** The fingerprint the service computes for a PATCH without If-Match. */
const fingerprintOf = (path: string, body: unknown) => requestFingerprint({ method: 'PATCH', path, body })
