import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Debian's `chromium` package (`.ci/run` installs it); CHROMIUM_PATH names another build.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A token of a valid shape for a user id nobody holds. */
const randomToken = () => `${randomUUID()}.${randomBytes(32).toString('base64url')}`

const perAddress = 20
const perUser = 30
// Long enough that a loaded CI machine sends each burst below within one window.
const windowMs = 5_000
const allowedOrigin = 'https://notes.example.com'

let system: RunningSystem
let otherSystem: RunningSystem
beforeAll(async () => {
  ;[system, otherSystem] = await Promise.all([
    startSystem({ rateLimits: { perUser, perAddress, windowMs }, corsOrigins: allowedOrigin }),
    startSystem(),
  ])
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
  await otherSystem?.[Symbol.asyncDispose]()
})

const expectRateLimited = (reply: { status: number; headers: Headers; body: Record<string, unknown> }) => {
  expect(reply.status).toBe(429)
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  expect(reply.body).toMatchObject({ type: 'urn:jetnotes:problem:rate-limited', status: 429 })
  const retryAfter = Number(reply.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000)
  return retryAfter
}

describe('when a client floods the API with random bearer tokens', () => {
  it('answers 429 problem+json with Retry-After once its address is over the limit, then recovers', async () => {
    const { queries } = system
    const replies = []
    // Sequential, so the first `perAddress` certainly fall into one window (it starts at the first).
    for (let i = 0; i < perAddress; i++) replies.push(await queries.get('/notes', { token: randomToken() }))
    expect(replies.map((reply) => reply.status)).toEqual(Array(perAddress).fill(401))
    const flood = await Promise.all(
      Array.from({ length: 200 }, () => queries.get('/notes', { token: randomToken() })),
    )
    const limited = flood.filter((reply) => reply.status === 429)
    // The flood takes far less than the window; should the window roll over, one more window's worth may pass.
    expect(limited.length).toBeGreaterThanOrEqual(200 - perAddress)
    const [firstLimited] = limited
    if (firstLimited === undefined) throw new Error('no request of the flood was limited')
    const retryAfter = expectRateLimited(firstLimited)
    // Malformed tokens and none at all count against the address too.
    expectRateLimited(await queries.get('/notes', { token: 'not-a-token' }))
    expectRateLimited(await queries.get('/notes'))
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100))
    expect((await queries.get('/notes', { token: randomToken() })).status).toBe(401)
  })
})

describe('when one user goes over the limit', () => {
  it('limits that user by token, and another user is not affected', async () => {
    const { commands, queries } = system
    const [busy, calm] = [await registerUser(commands), await registerUser(commands)]
    // The first request with a new token may count by address (the token can be new to this process).
    expect((await queries.get('/notes', { token: busy.token })).status).toBe(200)
    const statuses: number[] = []
    for (let i = 0; i < perUser + 5; i++) {
      statuses.push((await queries.get('/notes', { token: busy.token })).status)
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(5)
    expectRateLimited(await queries.get('/notes', { token: busy.token }))
    expect((await queries.get('/notes', { token: calm.token })).status).toBe(200)
    expect((await queries.get('/notes', { token: calm.token })).status).toBe(200)
  })
})

describe('every answer', () => {
  it('carries the security headers, with a policy that lets nothing load from a JSON answer', async () => {
    const reply = await system.queries.get('/healthz')
    expect(reply.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'")
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
    expect(reply.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(reply.headers.get('strict-transport-security')).toMatch(/max-age=/)
    expect(reply.headers.get('x-powered-by')).toBeNull()
  })

  it('lets the /docs page run the documentation UI it serves, in a real browser', async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`)
    }
    const browser = await chromium.launch({ executablePath: chromiumPath })
    try {
      const page = await browser.newPage()
      const complaints: string[] = []
      page.on('console', (message) => complaints.push(message.text()))
      page.on('requestfailed', (request) => complaints.push(`failed: ${request.url()}`))
      await page.goto(`${otherSystem.queries.base}/docs`)
      await page.waitForSelector('.swagger-ui .opblock', { timeout: 10_000 })
      expect(await page.textContent('.swagger-ui .info .title')).toContain('jetnotes query-service')
      expect(complaints).toEqual([])
    } finally {
      await browser.close()
    }
  })
})

describe('CORS with a list of origins', () => {
  const preflight = (origin: string) =>
    system.commands.send('OPTIONS', '/notes', {
      headers: { origin, 'access-control-request-method': 'POST' },
    })

  it('answers a preflight from a listed origin', async () => {
    const reply = await preflight(allowedOrigin)
    expect(reply.status).toBe(204)
    expect(reply.headers.get('access-control-allow-origin')).toBe(allowedOrigin)
  })

  it('refuses a preflight from any other origin, however alike', async () => {
    for (const origin of [
      'https://evil.example',
      `${allowedOrigin}.evil.example`,
      'http://notes.example.com',
      `${allowedOrigin}:8443`,
    ]) {
      const reply = await preflight(origin)
      expect(reply.status).toBe(403)
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(reply.headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it('grants no other origin the reading of an answer', async () => {
    const reply = await system.commands.get('/healthz', { headers: { origin: 'https://evil.example' } })
    expect(reply.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('requests with tokens of unknown users', () => {
  it('cost far fewer NATS round trips than requests', async () => {
    const { queries, queryNc } = otherSystem
    const sent = queryNc.stats().outMsgs
    const concurrent = await Promise.all(
      Array.from({ length: 200 }, () => queries.get('/notes', { token: randomToken() })),
    )
    expect(concurrent.every((reply) => reply.status === 401)).toBe(true)
    const oneToken = randomToken()
    for (let i = 0; i < 100; i++) expect((await queries.get('/notes', { token: oneToken })).status).toBe(401)
    // 300 refused requests; the consumers' own messages (pull requests, heartbeats) are a few more.
    expect(queryNc.stats().outMsgs - sent).toBeLessThan(60)
  })

  it('still admit a token issued a moment ago by another process on its first use', async () => {
    const { commands, queries } = otherSystem
    for (let i = 0; i < 5; i++) {
      const user = await registerUser(commands)
      expect((await queries.get('/notes', { token: user.token })).status).toBe(200)
    }
  })
})
