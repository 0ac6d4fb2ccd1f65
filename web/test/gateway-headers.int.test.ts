import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openEventStream } from '@jetnotes/testing'
import { type RunningGateway, sessionCookie, startGateway } from '@jetnotes/web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayBrowser } from './gateway-browser.ts'

// A stand-in service that records what the gateway sends it and answers as each test needs, to see the
// headers on both sides of the gateway (the real services' behaviour is in gateway.int.test.ts).
const received: { url: string; headers: IncomingHttpHeaders }[] = []
let answer: (response: ServerResponse) => void = (response) => response.end()
const service = createServer((request, response) => {
  received.push({ url: request.url ?? '', headers: request.headers })
  request.resume()
  answer(response)
})
const token = 'user-1.a-session-secret'
let serviceUrl: string
let gateway: RunningGateway
let appDir: string

beforeAll(async () => {
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve))
  const address = service.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  serviceUrl = `http://127.0.0.1:${address.port}`
  appDir = mkdtempSync(join(tmpdir(), 'jetnotes-app-'))
  writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>jetnotes</title>')
  // The gateway believes X-Forwarded-* from this machine, as from a TLS-terminating proxy in front of it.
  gateway = await startGateway({
    commandUrl: serviceUrl,
    queryUrl: serviceUrl,
    appDir,
    trustProxy: ['127.0.0.1', '::1'],
  })
})
afterAll(async () => {
  await gateway?.close()
  service.closeAllConnections()
  await new Promise((resolve) => service.close(resolve))
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true })
})

const lastReceived = () => {
  const last = received.at(-1)
  if (last === undefined) throw new Error('the service received nothing')
  return last
}

describe('what the services get', () => {
  it("the session's token as the bearer token, never the browser's Cookie or Authorization", async () => {
    answer = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    const reply = await gatewayBrowser(gateway.url).get('/api/notes?limit=5', {
      cookie: `${sessionCookie}=${token}; tracking=abc`,
      authorization: 'Basic c29tZW9uZTplbHNl',
      'if-none-match': '"3"',
      'x-forwarded-for': '203.0.113.9',
    })
    expect(reply.status).toBe(200)
    const { url, headers } = lastReceived()
    expect(url).toBe('/notes?limit=5')
    expect(headers.authorization).toBe(`Bearer ${token}`)
    expect(headers.cookie).toBeUndefined()
    expect(headers['if-none-match']).toBe('"3"')
    // The client as the gateway believes it: the test's request came from a trusted proxy (127.0.0.1).
    expect(headers['x-forwarded-for']).toBe('203.0.113.9')
  })

  it('the client address itself when the request did not come through a trusted proxy', async () => {
    await using direct = await startGateway({ commandUrl: serviceUrl, queryUrl: serviceUrl, appDir })
    await gatewayBrowser(direct.url).get('/api/notes', { 'x-forwarded-for': '203.0.113.9' })
    expect(lastReceived().headers['x-forwarded-for']).toBe('127.0.0.1')
  })

  it('nothing of a browser without a session but what it sent', async () => {
    await gatewayBrowser(gateway.url).get('/api/notes', { authorization: 'Bearer someone.elses-token' })
    expect(lastReceived().headers.authorization).toBeUndefined()
  })
})

describe('what the browser gets', () => {
  it('the answer with its own headers, and none that could carry a token or a cookie', async () => {
    answer = (response) =>
      response
        .writeHead(201, {
          'content-type': 'application/json',
          etag: '"1"',
          'consistency-token': 'ct-1',
          location: '/notes/n-1',
          'retry-after': '2',
          'set-cookie': 'other=1',
          'x-internal-token': 'secret',
        })
        .end('{"id":"n-1"}')
    const reply = await gatewayBrowser(gateway.url, { token }).post('/api/notes', { title: 't' })
    expect(reply.status).toBe(201)
    expect(reply.body).toEqual({ id: 'n-1' })
    expect(reply.headers.get('etag')).toBe('"1"')
    expect(reply.headers.get('consistency-token')).toBe('ct-1')
    expect(reply.headers.get('location')).toBe('/api/notes/n-1')
    expect(reply.headers.get('retry-after')).toBe('2')
    expect(reply.headers.getSetCookie()).toEqual([])
    expect(reply.headers.get('x-internal-token')).toBeNull()
    for (const [, value] of reply.headers) expect(value).not.toContain(token)
  })

  it('a cookie that is Secure when the browser came over TLS (a trusted proxy says so), HttpOnly and Strict', async () => {
    answer = (response) => response.writeHead(401, { 'content-type': 'application/problem+json' }).end('{}')
    const overTls = await gatewayBrowser(gateway.url, { token }).get('/api/notes', {
      'x-forwarded-proto': 'https',
    })
    const tlsCookie = overTls.headers.getSetCookie().join('\n')
    expect(tlsCookie).toMatch(/HttpOnly/)
    expect(tlsCookie).toMatch(/SameSite=Strict/)
    expect(tlsCookie).toMatch(/Secure/)
    const plain = await gatewayBrowser(gateway.url, { token }).get('/api/notes')
    expect(plain.headers.getSetCookie().join('\n')).not.toMatch(/Secure/)
  })

  it('a write from the page behind a TLS proxy, whose origin is https', async () => {
    answer = (response) => response.writeHead(204).end()
    const host = new URL(gateway.url).host
    const browser = gatewayBrowser(gateway.url, { token, origin: `https://${host}` })
    expect((await browser.delete('/api/notes/n-1', { 'x-forwarded-proto': 'https' })).status).toBe(204)
    expect((await browser.delete('/api/notes/n-1')).status).toBe(403)
  })
})

describe('a live stream', () => {
  it('reaches the browser event by event, with Last-Event-ID passed to the service', async () => {
    let open: ServerResponse | undefined
    answer = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      response.write('id: 7\nevent: NoteCreated\ndata: {"noteId":"n-1"}\n\n')
      open = response
    }
    using stream = await openEventStream(`${gateway.url}/api/events`, {
      cookie: `${sessionCookie}=${token}`,
      'last-event-id': '6',
    })
    // The first event arrives while the service's answer is still open: nothing waits for the end.
    await stream.received(1, 5_000)
    expect(stream.messages[0]).toMatchObject({ id: '7', event: 'NoteCreated' })
    expect(lastReceived().headers['last-event-id']).toBe('6')
    open?.write('id: 8\nevent: NoteEdited\ndata: {"noteId":"n-1"}\n\n')
    await stream.received(2, 5_000)
    const closed = new Promise((resolve) => open?.once('close', resolve))
    stream.close()
    // The service's side closes when the browser goes away.
    await closed
  })
})
