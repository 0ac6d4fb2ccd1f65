import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, redactHeaders, redactUrl } from '../src/logger.ts'

const secret = 'user-1.c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA'

/** A logger as the services create it, writing into an array of lines. */
const capturedLogger = () => {
  const lines: string[] = []
  const logger = createLogger(
    'test',
    'trace',
    new Writable({
      write(line: Buffer, _encoding, done) {
        lines.push(line.toString())
        done()
      },
    }),
  )
  return { logger, lines }
}

describe('a URL in a log line', () => {
  it.each([
    `/events?access_token=${secret}`,
    `/events?access%5Ftoken=${secret}`,
    `/events?access%5ftoken=${secret}`,
    `/events?%61ccess_token=${secret}`,
    `/events?ACCESS_TOKEN=${secret}`,
    `/events?Access_Token=${secret}`,
    `/events?access_token=x&access_token=${secret}`,
    `/events?access_token=${secret}&access_token=${secret}`,
    `/events?access_token=+${secret}`,
    `/events?access_token=%20${secret}`,
    `/events?access+token=${secret}`,
    `/events?access%20token=${secret}`,
    `/events?access_token[]=${secret}`,
    `/events?lastEventId=1&access_token=${secret}`,
    `/events?limit=1&&access_token=${secret}#`,
    `/events#access_token=${secret}`,
    `/events;access_token=${secret}`,
    `/notes/%FF?access_token=${secret}`,
    `http://localhost/events?access_token=${secret}`,
    `/events?access_token=${encodeURIComponent(secret)}`,
  ])('%s keeps no secret', (url) => {
    const logged = redactUrl(url)
    expect(logged).not.toContain(secret)
    expect(logged).not.toContain(encodeURIComponent(secret))
    expect(logged).toContain('[redacted]')
  })

  it('keeps the path, the plain names, and the values of the known-safe parameters', () => {
    expect(redactUrl('/notes/n1/history?limit=5&cursor=abc&access_token=t&q=secret+plans&flag')).toBe(
      '/notes/n1/history?limit=5&cursor=abc&access_token=[redacted]&q=[redacted]&flag=[redacted]',
    )
    expect(redactUrl('/events?lastEventId=12-3')).toBe('/events?lastEventId=12-3')
    expect(redactUrl('/notes/n1')).toBe('/notes/n1')
  })

  it('redacts a safe name spelled otherwise (encoded, another case): only exact names are trusted', () => {
    expect(redactUrl('/notes?%6Cimit=5&LIMIT=6')).toBe('/notes?[redacted]&LIMIT=[redacted]')
  })

  it('redacts a name that could hide a value: encoded, with a dot, long, or without a value', () => {
    expect(redactUrl(`/events?access_token%3D${secret}=x&${secret}&${'a'.repeat(33)}=1`)).toBe(
      '/events?[redacted]&[redacted]&[redacted]',
    )
  })
})

describe('headers in a log line', () => {
  it('lose the values of secret headers in any case', () => {
    expect(
      redactHeaders({
        Authorization: `Bearer ${secret}`,
        AUTHORIZATION: `Bearer ${secret}`,
        'Idempotency-Key': secret,
        'IDEMPOTENCY-KEY': secret,
        accept: 'text/event-stream',
      }),
    ).toEqual({
      Authorization: '[redacted]',
      AUTHORIZATION: '[redacted]',
      'Idempotency-Key': '[redacted]',
      'IDEMPOTENCY-KEY': '[redacted]',
      accept: 'text/event-stream',
    })
  })
})

describe('the service logger', () => {
  it('logs a request as method, id and redacted URL, without its headers', () => {
    const { logger, lines } = capturedLogger()
    const req = {
      method: 'GET',
      url: `/events?access%5Ftoken=${secret}`,
      id: 'r1',
      headers: { authorization: `Bearer ${secret}`, 'idempotency-key': secret },
    }
    logger.info({ req }, 'incoming request')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      req: { method: 'GET', url: '/events?[redacted]', id: 'r1' },
    })
    expect(lines[0]).not.toContain(secret)
  })

  it('redacts secret headers logged on their own, at the top or one level down, in any case', () => {
    const { logger, lines } = capturedLogger()
    logger.info({ headers: { Authorization: `Bearer ${secret}`, 'IDEMPOTENCY-KEY': secret } }, 'headers')
    logger.info({ request: { headers: { authorization: `Bearer ${secret}` } } }, 'nested headers')
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line).not.toContain(secret)
  })

  it('leaves out the raw request bytes of an HTTP parser error', () => {
    const { logger, lines } = capturedLogger()
    const error = Object.assign(new Error('Parse Error: Duplicate Content-Length'), {
      code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
      rawPacket: Buffer.from(`GET / HTTP/1.1\r\nAuthorization: Bearer ${secret}\r\n\r\n`),
    })
    logger.trace({ err: error }, 'client error')
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ err: { code: 'HPE_UNEXPECTED_CONTENT_LENGTH' } })
    expect(lines[0]).not.toContain('rawPacket')
  })

  it("redacts the URL Fastify's own errors quote", () => {
    const { logger, lines } = capturedLogger()
    const error = Object.assign(
      new Error(`'/notes/%FF?access_token=${secret}' is not a valid url component`),
      { code: 'FST_ERR_BAD_URL', statusCode: 400 },
    )
    logger.info({ err: error }, 'bad url')
    expect(lines[0]).toContain('access_token=[redacted]')
    expect(lines[0]).not.toContain(secret)
  })
})
