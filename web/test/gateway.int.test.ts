import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createNote,
  freePort,
  openEventStream,
  type RunningSystem,
  registerUser,
  startSystem,
} from '@jetnotes/testing'
import { type RunningGateway, sessionCookie, startGateway } from '@jetnotes/web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayBrowser, gatewayBrowser } from './gateway-browser.ts'

// The whole system, and a gateway in front of it serving a small stand-in for the built app.
let system: RunningSystem
let gateway: RunningGateway
let appDir: string
let ann: { id: string; token: string }
let annBrowser: GatewayBrowser

beforeAll(async () => {
  system = await startSystem()
  appDir = mkdtempSync(join(tmpdir(), 'jetnotes-app-'))
  mkdirSync(join(appDir, 'assets'))
  writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>jetnotes</title><div id="app"></div>')
  writeFileSync(join(appDir, 'assets', 'index-abc123.js'), 'console.log("app")')
  gateway = await startGateway({
    commandUrl: system.commands.base,
    queryUrl: system.queries.base,
    appDir,
  })
  ann = await registerUser(system.commands, 'Ann')
  // A session cookie as sign-in sets it; the account's API token works wherever a session token does.
  annBrowser = gatewayBrowser(gateway.url, { token: ann.token })
})
afterAll(async () => {
  await gateway?.close()
  await system?.[Symbol.asyncDispose]()
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true })
})

/** The ids of a user's notes, once the views have caught up with the write that gave `consistencyToken`. */
const noteIdsOf = async (token: string, consistencyToken?: string | null) => {
  const headers = consistencyToken ? { 'consistency-token': consistencyToken } : undefined
  const reply = await system.queries.get('/notes', { token, ...(headers === undefined ? {} : { headers }) })
  return (reply.body.items as { id: string }[]).map((note) => note.id)
}

describe('the API through the gateway', () => {
  it('reads and writes with the session cookie as the bearer token', async () => {
    const created = await annBrowser.post('/api/notes', { title: 'Through the gateway', body: 'hi' })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/api/notes/${created.body.id}`)
    const read = await annBrowser.get(`/api/notes/${created.body.id}`, {
      'consistency-token': created.headers.get('consistency-token') ?? '',
    })
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ title: 'Through the gateway', owner: ann.id })
  })

  it('passes ETag through and answers If-None-Match with 304', async () => {
    const created = await annBrowser.post('/api/notes', { title: 'cached', body: 'x' })
    const first = await annBrowser.get(`/api/notes/${created.body.id}`, {
      'consistency-token': created.headers.get('consistency-token') ?? '',
    })
    const etag = first.headers.get('etag')
    expect(first.status).toBe(200)
    expect(etag).toBeTruthy()
    const again = await annBrowser.get(`/api/notes/${created.body.id}`, { 'if-none-match': etag ?? '' })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
  })

  it('answers 401 without a session, and clears a cookie the services no longer accept', async () => {
    const anonymous = await gatewayBrowser(gateway.url).get('/api/notes')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json')
    const stale = await gatewayBrowser(gateway.url, { token: `${ann.id}.not-the-secret` }).get('/api/notes')
    expect(stale.status).toBe(401)
    const cleared = stale.headers.getSetCookie().find((line) => line.startsWith(`${sessionCookie}=;`))
    expect(cleared).toMatch(/HttpOnly/i)
    expect(cleared).toMatch(/SameSite=Strict/i)
    expect(cleared).toMatch(/Path=\//i)
  })

  it('does not use the Authorization header a page sends: only the session counts', async () => {
    const bob = await registerUser(system.commands, 'Bob')
    const asBob = { authorization: `Bearer ${bob.token}` }
    expect((await gatewayBrowser(gateway.url).get('/api/notes', asBob)).status).toBe(401)
    const withBoth = await annBrowser.get(`/api/users/${bob.id}/validate`, asBob)
    expect(withBoth.status).toBe(200)
    const annsNotes = await annBrowser.get('/api/notes', asBob)
    expect((annsNotes.body.items as unknown[]).length).toBe((await noteIdsOf(ann.token)).length)
  })

  it('refuses POST /api/users/me/token: a new token would reach JavaScript', async () => {
    const refused = await annBrowser.post('/api/users/me/token')
    expect(refused.status).toBe(404)
    expect(refused.headers.get('content-type')).toContain('application/problem+json')
    expect(refused.text).not.toContain(`${ann.id}.`)
    // The token was not rotated: it still works.
    expect((await system.queries.get('/notes', { token: ann.token })).status).toBe(200)
  })
})

describe('the Origin check', () => {
  it.each([
    ['without an Origin', null],
    ['from another origin', 'https://evil.example'],
    ['from the same host on another port', 'http://127.0.0.1:1'],
  ])('refuses a write %s with 403, and nothing is appended', async (_case, origin) => {
    const marker = await system.commands.post('/notes', { title: 'before', body: '' }, { token: ann.token })
    const before = await noteIdsOf(ann.token, marker.headers.get('consistency-token'))
    const browser = gatewayBrowser(gateway.url, { token: ann.token, origin })
    const refused = await browser.post('/api/notes', { title: 'forged', body: 'x' })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('content-type')).toContain('application/problem+json')
    expect(refused.body.type).toBe('urn:jetnotes:problem:forbidden-origin')
    const signIn = await browser.post('/api/session', { email: 'a@example.com', password: 'whatever1' })
    expect(signIn.status).toBe(403)
    // A write after the refused one: once the views show it, they would show the forged one too.
    const after = await system.commands.post('/notes', { title: 'after', body: '' }, { token: ann.token })
    const ids = await noteIdsOf(ann.token, after.headers.get('consistency-token'))
    expect(ids.sort()).toEqual([...before, after.body.id].sort())
  })

  it('lets reads through whatever their origin', async () => {
    const browser = gatewayBrowser(gateway.url, { token: ann.token, origin: 'https://elsewhere.example' })
    expect((await browser.get('/api/notes')).status).toBe(200)
  })
})

describe('live streams through the gateway', () => {
  const cookie = () => ({ cookie: `${sessionCookie}=${ann.token}` })

  it('delivers a change as it happens, and resumes after Last-Event-ID', async () => {
    using stream = await openEventStream(`${gateway.url}/api/events`, cookie())
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toContain('text/event-stream')
    const id = await createNote(system.commands, ann.token, { title: 'live' })
    await stream.until(
      () => stream.messages.some((message) => message.data.noteId === id),
      5_000,
      'the create',
    )
    const lastId = stream.messages.at(-1)?.id ?? ''
    stream.close()

    await system.commands.patch(`/notes/${id}`, { body: 'missed while away' }, { token: ann.token })
    using resumed = await openEventStream(`${gateway.url}/api/events`, {
      ...cookie(),
      'last-event-id': lastId,
    })
    await resumed.received(1, 5_000)
    expect(resumed.messages[0]?.event).toBe('NoteEdited')
    expect(resumed.messages[0]?.data).toMatchObject({ noteId: id })
  })

  it('ends the service side of a stream when the browser goes away', async () => {
    const hub = system.queryContext.hub
    // The streams of the other tests are gone (each closed its own, and the service has seen that).
    await expect.poll(() => hub.connections, { timeout: 5_000 }).toBe(0)
    const before = 0
    using stream = await openEventStream(`${gateway.url}/api/events`, cookie())
    await expect.poll(() => hub.connections, { timeout: 5_000 }).toBe(before + 1)
    stream.close()
    await expect.poll(() => hub.connections, { timeout: 5_000 }).toBe(before)
  })
})

describe('when a service is down', () => {
  it('answers 503 problem+json with Retry-After', async () => {
    await using down = await startGateway({
      commandUrl: `http://127.0.0.1:${await freePort()}`,
      queryUrl: `http://127.0.0.1:${await freePort()}`,
      appDir,
    })
    const browser = gatewayBrowser(down.url, { token: ann.token })
    for (const reply of [await browser.get('/api/notes'), await browser.post('/api/notes', { title: 't' })]) {
      expect(reply.status).toBe(503)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
      expect(reply.headers.get('retry-after')).toBe('1')
    }
    const signIn = await browser.post('/api/session', { email: 'a@example.com', password: 'password1' })
    expect(signIn.status).toBe(503)
  })
})

describe('the app', () => {
  const page = { accept: 'text/html,application/xhtml+xml' }

  it('serves index.html, never cached without asking, with a policy that allows only its own scripts', async () => {
    const index = await gatewayBrowser(gateway.url).get('/', page)
    expect(index.status).toBe(200)
    expect(index.text).toContain('<div id="app">')
    expect(index.headers.get('cache-control')).toBe('no-cache')
    const policy = index.headers.get('content-security-policy') ?? ''
    expect(policy).toContain("default-src 'self'")
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).not.toContain('unsafe-inline')
  })

  it('serves the hashed assets as immutable', async () => {
    const asset = await gatewayBrowser(gateway.url).get('/assets/index-abc123.js')
    expect(asset.status).toBe(200)
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
  })

  it("answers the app's own routes with index.html, and a missing file with 404", async () => {
    const route = await gatewayBrowser(gateway.url).get('/notes/some-id', page)
    expect(route.status).toBe(200)
    expect(route.text).toContain('<div id="app">')
    expect((await gatewayBrowser(gateway.url).get('/assets/gone-123.js')).status).toBe(404)
    const unknownApi = await annBrowser.get('/api/no-such-thing', page)
    expect(unknownApi.status).toBe(404)
    expect(unknownApi.headers.get('content-type')).toContain('application/problem+json')
  })
})
