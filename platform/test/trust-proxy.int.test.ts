import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createHttpApp } from '../src/http/create-app.ts'

/** An app that answers each request with the client address it believes, as the rate limits and logs use it. */
const appTrusting = async (trustProxy?: readonly string[]) => {
  const app = await createHttpApp({
    title: 'test',
    description: 'test',
    logger: pino({ level: 'silent' }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
  })
  app.get('/ip', async (request) => ({ ip: request.ip }))
  return app
}

const ipSeenFrom = async (app: Awaited<ReturnType<typeof appTrusting>>, peer: string) =>
  (
    await app.inject({
      method: 'GET',
      url: '/ip',
      remoteAddress: peer,
      headers: { 'x-forwarded-for': '203.0.113.7' },
    })
  ).json().ip

describe('the client address behind a proxy', () => {
  it('is the forwarded one when the peer is trusted, and the peer itself when it is not', async () => {
    await using app = await appTrusting(['127.0.0.1', '::1'])
    expect(await ipSeenFrom(app, '127.0.0.1')).toBe('203.0.113.7')
    expect(await ipSeenFrom(app, '198.51.100.1')).toBe('198.51.100.1')
  })

  it('is always the peer when no proxy is trusted', async () => {
    await using app = await appTrusting()
    expect(await ipSeenFrom(app, '127.0.0.1')).toBe('127.0.0.1')
  })
})
