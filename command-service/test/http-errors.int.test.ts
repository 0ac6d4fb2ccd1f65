import { startNatsServer } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CommandService,
  registerUser,
  startCommandApp,
  startCommandService,
} from './command-service-fixture.ts'
import { type RawResponse, rawConnection, rawRequest } from './raw-http.ts'

let service: CommandService

beforeAll(async () => {
  service = await startCommandService()
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

const expectProblem = (response: RawResponse, status: number, code: string) => {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toContain('application/problem+json')
  expect(Buffer.byteLength(response.body, 'latin1')).toBe(Number(response.headers.get('content-length')))
  expect(JSON.parse(response.body)).toMatchObject({ type: `urn:jetnotes:problem:${code}`, status })
}

const request = (lines: string[], body = '') => `${lines.join('\r\n')}\r\n\r\n${body}`

describe("requests Node's HTTP parser refuses", () => {
  it('answers a duplicate Content-Length with a problem on the raw socket, then closes', async () => {
    const response = await rawRequest(
      service.api.base,
      request(
        [
          'POST /users HTTP/1.1',
          'Host: x',
          'Content-Type: application/json',
          'Content-Length: 2',
          'Content-Length: 3',
        ],
        '{}',
      ),
    )
    expectProblem(response, 400, 'malformed-request')
    expect(response.headers.get('connection')).toBe('close')
  })

  it('answers a NUL in a header value with a problem', async () => {
    const response = await rawRequest(
      service.api.base,
      request(['GET /healthz HTTP/1.1', 'Host: x', 'X-Odd: a\u0000b']),
    )
    expectProblem(response, 400, 'malformed-request')
  })

  it('answers a 20 KB URL with 431', async () => {
    const response = await rawRequest(
      service.api.base,
      request([`GET /notes/${'a'.repeat(20_000)} HTTP/1.1`, 'Host: x']),
    )
    expectProblem(response, 431, 'headers-too-large')
  })

  it('answers a 20 KB header with 431', async () => {
    const response = await rawRequest(
      service.api.base,
      request(['GET /healthz HTTP/1.1', 'Host: x', `X-Big: ${'b'.repeat(20_000)}`]),
    )
    expectProblem(response, 431, 'headers-too-large')
  })

  it('answers a HEAD it refuses with the headers alone', async () => {
    const connection = await rawConnection(service.api.base)
    await connection.write(request(['HEAD /healthz HTTP/1.1', 'Host: x', 'X-Odd: a\u0000b']))
    const wire = await connection.wire()
    expect(wire).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(wire).toContain('Content-Type: application/problem+json')
    expect(wire.endsWith('\r\n\r\n')).toBe(true)
  })

  it('still serves good requests afterwards', async () => {
    expect((await service.api.get('/healthz')).status).toBe(200)
  })
})

describe("Fastify's own errors", () => {
  const fetchProblem = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${service.api.base}${path}`, { method, headers })
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    return { status: response.status, body: (await response.json()) as { type: string; status: number } }
  }

  it('answers a bad percent-encoding with 400 malformed-url', async () => {
    const { status, body } = await fetchProblem('PATCH', '/notes/%FF')
    expect(status).toBe(400)
    expect(body).toMatchObject({ type: 'urn:jetnotes:problem:malformed-url', status: 400 })
  })

  it('answers an 8,000-character id with 414 uri-too-long, without echoing it', async () => {
    const { status, body } = await fetchProblem('PATCH', `/notes/${'a'.repeat(8_000)}`)
    expect(status).toBe(414)
    expect(body).toMatchObject({ type: 'urn:jetnotes:problem:uri-too-long', status: 414 })
    expect(JSON.stringify(body).length).toBeLessThan(500)
  })

  it('answers an unknown route, and a known path with a method it lacks, with 404', async () => {
    expect((await fetchProblem('GET', '/nothing-here')).body.type).toBe('urn:jetnotes:problem:not-found')
    expect((await fetchProblem('PUT', '/notes')).body.type).toBe('urn:jetnotes:problem:not-found')
  })

  it('answers an OPTIONS without the preflight headers with 400 invalid-preflight', async () => {
    const bare = await fetchProblem('OPTIONS', '/notes')
    expect(bare).toMatchObject({ status: 400, body: { type: 'urn:jetnotes:problem:invalid-preflight' } })
    const noMethod = await fetchProblem('OPTIONS', '/notes', { origin: 'https://example.com' })
    expect(noMethod.body.type).toBe('urn:jetnotes:problem:invalid-preflight')
  })

  it('refuses a well-formed preflight with 403 when no origin is configured (the default)', async () => {
    const response = await fetchProblem('OPTIONS', '/notes', {
      origin: 'https://example.com',
      'access-control-request-method': 'POST',
    })
    expect(response).toMatchObject({ status: 403, body: { type: 'urn:jetnotes:problem:forbidden' } })
  })
})

describe('the OpenAPI description', () => {
  it('says errors are problem+json, and that any operation may answer with one', async () => {
    type Operation = { responses: Record<string, { content: Record<string, unknown> }> }
    const docs = (await (await fetch(`${service.api.base}/docs/json`)).json()) as {
      paths: Record<string, Record<string, Operation>>
    }
    const patch = docs.paths['/notes/{id}']?.patch
    expect(Object.keys(patch?.responses['412']?.content ?? {})).toEqual(['application/problem+json'])
    expect(Object.keys(patch?.responses.default?.content ?? {})).toEqual(['application/problem+json'])
    expect(Object.keys(patch?.responses['200']?.content ?? {})).toEqual(['application/json'])
  })
})

describe('while the service shuts down', () => {
  it('answers requests still arriving on an open connection with 503 problem+json', async () => {
    await using nats = await startNatsServer()
    const app = await startCommandApp(nats)
    const { token } = await registerUser(app.api)
    const connection = await rawConnection(app.api.base)
    // A request whose body has not all arrived keeps the connection busy, so closing cannot reap it.
    const body = JSON.stringify({ title: 'in flight', body: '' })
    const headers = [
      'POST /notes HTTP/1.1',
      'Host: x',
      `Authorization: Bearer ${token}`,
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
    ]
    await connection.write(request(headers, body.slice(0, 5)))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closed = app.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    await connection.write(`${body.slice(5)}${request(['GET /healthz HTTP/1.1', 'Host: x'])}`)
    const [first, second] = await connection.responses()
    await closed
    expect(first?.status).toBe(201)
    if (second === undefined) throw new Error('no response to the request sent while closing')
    expectProblem(second, 503, 'unavailable')
    expect(second.headers.get('retry-after')).toBe('1')
    expect(second.headers.get('connection')).toBe('close')
  })
})
