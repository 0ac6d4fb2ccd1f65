import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CommandService, registerUser, startCommandService } from './command-service-fixture.ts'

let service: CommandService
beforeAll(async () => {
  service = await startCommandService()
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

describe('registering a user', () => {
  it('returns 201 with the account and a token that works in the very next request', async () => {
    const reply = await service.api.post('/users', { name: ' Ann ', email: 'Ann@Example.com' })
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({ name: 'Ann', email: 'Ann@Example.com' })
    expect(reply.headers.get('location')).toBe(`/users/${reply.body.id}`)
    expect(reply.headers.get('consistency-token')).toMatch(/^[A-Za-z0-9_-]+$/)
    const token = reply.body.token as string
    const next = await service.api.patch('/users/me', { name: 'Annie' }, { token })
    expect(next.status).toBe(200)
    expect(next.body).toEqual({ id: reply.body.id, name: 'Annie', email: 'Ann@Example.com' })
  })

  it('refuses an e-mail address that is taken, whatever its case, with 409 and appends nothing', async () => {
    await service.api.post('/users', { name: 'Bea', email: 'bea@example.com' })
    const before = await service.messageCount('USERS')
    const reply = await service.api.post('/users', { name: 'Other Bea', email: 'BEA@example.COM' })
    expect(reply.status).toBe(409)
    expect(reply.headers.get('content-type')).toContain('application/problem+json')
    expect(reply.body).toMatchObject({ type: 'urn:jetnotes:problem:conflict', status: 409 })
    expect(await service.messageCount('USERS')).toBe(before)
  })

  it('lets exactly one of several concurrent registrations of one address succeed', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        service.api.post('/users', { name: `Racer ${i}`, email: 'race@example.com' }),
      ),
    )
    expect(replies.filter((reply) => reply.status === 201)).toHaveLength(1)
    expect(replies.filter((reply) => reply.status === 409)).toHaveLength(9)
  })

  it('rejects an invalid e-mail address with 400 naming the field', async () => {
    const reply = await service.api.post('/users', { name: 'Cy', email: 'not-an-address' })
    expect(reply.status).toBe(400)
    expect(reply.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'email' })])
  })
})

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate when the token is missing or wrong', async () => {
    const missing = await service.api.patch('/users/me', { name: 'X' })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toContain('Bearer')
    const { id } = await registerUser(service.api)
    for (const token of ['garbage', `${id}.${'x'.repeat(43)}`, `nobody.${'x'.repeat(43)}`]) {
      expect((await service.api.patch('/users/me', { name: 'X' }, { token })).status).toBe(401)
    }
  })
})

describe('rotating the token', () => {
  it('returns a new token; the old one stops working at once', async () => {
    const user = await registerUser(service.api)
    const reply = await service.api.post('/users/me/token', undefined, { token: user.token })
    expect(reply.status).toBe(200)
    const fresh = reply.body.token as string
    expect(fresh).not.toBe(user.token)
    expect((await service.api.patch('/users/me', { name: 'Old' }, { token: user.token })).status).toBe(401)
    expect((await service.api.patch('/users/me', { name: 'New' }, { token: fresh })).status).toBe(200)
  })
})

describe('deactivating the account', () => {
  it('answers 204, after which the token gets 401 and the events stay in the log', async () => {
    const user = await registerUser(service.api)
    const reply = await service.api.delete('/users/me', { token: user.token })
    expect(reply.status).toBe(204)
    const after = await service.api.post('/notes', { title: 'x', body: 'y' }, { token: user.token })
    expect(after.status).toBe(401)
    expect(await service.subjectCount('USERS', `users.${user.id}`)).toBe(2)
  })
})
