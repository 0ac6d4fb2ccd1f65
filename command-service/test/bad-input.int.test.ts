import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CommandService,
  createNote,
  registerUser,
  startCommandService,
} from './command-service-fixture.ts'

let service: CommandService
let token: string
let noteId: string

beforeAll(async () => {
  service = await startCommandService()
  ;({ token } = await registerUser(service.api))
  noteId = await createNote(service.api, token)
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

type BadRequest = {
  name: string
  method: string
  path: () => string
  body?: string
  headers?: Record<string, string>
  status: number
  type: string
}

const json = { 'content-type': 'application/json' }
const huge = JSON.stringify({ title: 'big', body: 'x'.repeat(300 * 1024) })

const cases: BadRequest[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: () => '/notes',
    body: '{"title": ',
    headers: json,
    status: 400,
    type: 'malformed-json',
  },
  {
    name: 'an empty JSON body',
    method: 'POST',
    path: () => '/notes',
    body: '',
    headers: json,
    status: 400,
    type: 'malformed-json',
  },
  {
    name: 'a title of the wrong type',
    method: 'POST',
    path: () => '/notes',
    body: '{"title": 5, "body": ""}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'a missing title',
    method: 'POST',
    path: () => '/notes',
    body: '{"body": ""}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'an unknown field',
    method: 'POST',
    path: () => '/notes',
    body: '{"title":"t","body":"","owner":"me"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'tags that are not a list',
    method: 'POST',
    path: () => '/notes',
    body: '{"title":"t","body":"","tags":"a"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'a tag with a space',
    method: 'POST',
    path: () => '/notes',
    body: '{"title":"t","body":"","tags":["a b"]}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'a title over 200 characters',
    method: 'POST',
    path: () => '/notes',
    body: JSON.stringify({ title: 'x'.repeat(201), body: '' }),
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'a body over the 256 KiB limit',
    method: 'POST',
    path: () => '/notes',
    body: huge,
    headers: json,
    status: 413,
    type: 'payload-too-large',
  },
  {
    name: 'a body that is not JSON',
    method: 'POST',
    path: () => '/notes',
    body: 'title=t',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    type: 'unsupported-media-type',
  },
  {
    name: 'an empty edit',
    method: 'PATCH',
    path: () => `/notes/${noteId}`,
    body: '{}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'an id with a dot',
    method: 'PATCH',
    path: () => '/notes/a.b',
    body: '{"title":"t"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'the id *',
    method: 'PATCH',
    path: () => '/notes/*',
    body: '{"title":"t"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'the id >',
    method: 'PATCH',
    path: () => '/notes/>',
    body: '{"title":"t"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'an encoded dot (%2E)',
    method: 'PATCH',
    path: () => '/notes/a%2Eb',
    body: '{"title":"t"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  { name: 'an encoded * (%2A)', method: 'DELETE', path: () => '/notes/%2A', status: 400, type: 'validation' },
  { name: 'an encoded > (%3E)', method: 'DELETE', path: () => '/notes/%3E', status: 400, type: 'validation' },
  { name: 'an encoded space', method: 'DELETE', path: () => '/notes/a%20b', status: 400, type: 'validation' },
  {
    name: 'a share with a dotted user id',
    method: 'POST',
    path: () => `/notes/${noteId}/shares`,
    body: '{"userId":"a.b","permission":"read"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'a share with an unknown permission',
    method: 'POST',
    path: () => `/notes/${noteId}/shares`,
    body: '{"userId":"abc","permission":"admin"}',
    headers: json,
    status: 400,
    type: 'validation',
  },
  {
    name: 'an unshare of a wildcard user',
    method: 'DELETE',
    path: () => `/notes/${noteId}/shares/*`,
    status: 400,
    type: 'validation',
  },
  {
    name: 'a malformed If-Match',
    method: 'PATCH',
    path: () => `/notes/${noteId}`,
    body: '{"title":"t"}',
    headers: { ...json, 'if-match': 'version one' },
    status: 400,
    type: 'bad-request',
  },
  {
    name: 'an If-Match list',
    method: 'PATCH',
    path: () => `/notes/${noteId}`,
    body: '{"title":"t"}',
    headers: { ...json, 'if-match': '"1", "2"' },
    status: 400,
    type: 'bad-request',
  },
  {
    name: 'an unknown route',
    method: 'POST',
    path: () => '/nothing-here',
    body: '{}',
    headers: json,
    status: 404,
    type: 'not-found',
  },
]

describe('bad input', () => {
  it.each(cases)('$name gets $status as problem+json and appends nothing', async (bad) => {
    const before = await service.messageCount('NOTES')
    const response = await fetch(`${service.api.base}${bad.path()}`, {
      method: bad.method,
      headers: { authorization: `Bearer ${token}`, ...bad.headers },
      body: bad.body,
    })
    expect(response.status).toBe(bad.status)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    const problem = (await response.json()) as { type: string; status: number; title: string }
    expect(problem).toMatchObject({ type: `urn:jetnotes:problem:${bad.type}`, status: bad.status })
    expect(problem.title).toBeTruthy()
    expect(await service.messageCount('NOTES')).toBe(before)
  })

  it('still serves good requests afterwards', async () => {
    expect((await service.api.patch(`/notes/${noteId}`, { title: 'fine' }, { token })).status).toBe(200)
  })
})
