import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningSystem, startSystem } from '@jetnotes/testing'
import { type RunningGateway, sessionCookie, startGateway } from '@jetnotes/web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayReply, gatewayBrowser } from './gateway-browser.ts'

// The browser's session (backend-for-frontend) against the real system: sign up, in and out through the gateway.
let system: RunningSystem
let gateway: RunningGateway
let appDir: string

beforeAll(async () => {
  system = await startSystem()
  appDir = mkdtempSync(join(tmpdir(), 'jetnotes-app-'))
  writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>jetnotes</title>')
  gateway = await startGateway({ commandUrl: system.commands.base, queryUrl: system.queries.base, appDir })
})
afterAll(async () => {
  await gateway?.close()
  await system?.[Symbol.asyncDispose]()
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true })
})

let people = 0
const newPerson = () => {
  people++
  return {
    name: `Person ${people}`,
    email: `person-${people}-${Date.now()}@example.com`,
    password: 'a long password',
  }
}

/** The session cookie a reply set, with its attributes. */
const sessionCookieOf = (reply: GatewayReply) =>
  reply.headers.getSetCookie().find((line) => line.startsWith(`${sessionCookie}=`))

/** Nothing JavaScript can read holds the token: not the body, not a header other than the HttpOnly Set-Cookie. */
const expectNoTokenReadable = (reply: GatewayReply, token: string) => {
  expect(reply.text).not.toContain(token)
  for (const [name, value] of reply.headers) {
    if (name !== 'set-cookie') expect(value).not.toContain(token)
  }
  for (const line of reply.headers.getSetCookie()) {
    if (line.includes(token)) expect(line).toMatch(/HttpOnly/)
  }
}

describe('signing up', () => {
  it('creates the account and a session: an HttpOnly, SameSite=Strict cookie, and the user without a token', async () => {
    const person = newPerson()
    const browser = gatewayBrowser(gateway.url)
    const signedUp = await browser.post('/api/users', person)
    expect(signedUp.status).toBe(201)
    expect(signedUp.body).toEqual({
      user: { id: expect.any(String), name: person.name, email: person.email },
    })
    const cookie = sessionCookieOf(signedUp)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\//)
    expect(cookie).not.toMatch(/Secure/)
    const token = browser.session ?? ''
    expect(token.startsWith(`${(signedUp.body.user as { id: string }).id}.`)).toBe(true)
    expectNoTokenReadable(signedUp, token)

    const session = await browser.get('/api/session')
    expect(session.status).toBe(200)
    expect(session.body).toEqual(signedUp.body)
    expectNoTokenReadable(session, token)
    expect((await browser.get('/api/notes')).status).toBe(200)
  })

  it('passes on what the service refuses, and sets no cookie', async () => {
    const browser = gatewayBrowser(gateway.url)
    const tooShort = await browser.post('/api/users', { ...newPerson(), password: 'short' })
    expect(tooShort.status).toBe(400)
    expect(tooShort.headers.get('content-type')).toContain('application/problem+json')
    expect(sessionCookieOf(tooShort)).toBeUndefined()
    expect(browser.session).toBeUndefined()
  })
})

describe('signing out and in again', () => {
  it('ends the session everywhere, and a new sign-in makes a new one', async () => {
    const person = newPerson()
    const browser = gatewayBrowser(gateway.url)
    await browser.post('/api/users', person)
    const firstToken = browser.session ?? ''

    const signedOut = await browser.delete('/api/session')
    expect(signedOut.status).toBe(204)
    expect(sessionCookieOf(signedOut)).toMatch(new RegExp(`^${sessionCookie}=;`))
    expect(browser.session).toBeUndefined()
    // The token itself no longer works, through the gateway or directly.
    expect((await gatewayBrowser(gateway.url, { token: firstToken }).get('/api/session')).status).toBe(401)
    expect((await system.queries.get('/notes', { token: firstToken })).status).toBe(401)
    expect((await browser.get('/api/session')).status).toBe(401)

    const signedIn = await browser.post('/api/session', { email: person.email, password: person.password })
    expect(signedIn.status).toBe(200)
    expect(signedIn.body).toEqual({
      user: { id: expect.any(String), name: person.name, email: person.email },
    })
    const secondToken = browser.session ?? ''
    expect(secondToken).not.toBe('')
    expect(secondToken).not.toBe(firstToken)
    expectNoTokenReadable(signedIn, secondToken)
    expect((await browser.get('/api/session')).status).toBe(200)
  })

  it('refuses a wrong password with the service’s 401 problem, and sets no cookie', async () => {
    const person = newPerson()
    await gatewayBrowser(gateway.url).post('/api/users', person)
    const browser = gatewayBrowser(gateway.url)
    const refused = await browser.post('/api/session', { email: person.email, password: 'not the password' })
    expect(refused.status).toBe(401)
    expect(refused.body.type).toBe('urn:jetnotes:problem:invalid-credentials')
    expect(sessionCookieOf(refused)).toBeUndefined()
  })

  it('answers GET /api/session with 401 without a session', async () => {
    const reply = await gatewayBrowser(gateway.url).get('/api/session')
    expect(reply.status).toBe(401)
    expect(reply.headers.get('content-type')).toContain('application/problem+json')
  })
})
