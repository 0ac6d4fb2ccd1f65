import { randomUUID } from 'node:crypto'
import { commandBuckets } from '@jetnotes/schemas'
import { Kvm } from '@nats-io/kv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNote, type Reply } from '../src/http-client.ts'
import { readStream } from '../src/log-fold.ts'
import { openEventStream } from '../src/sse-client.ts'
import { type RunningSystem, startSystem } from '../src/system.ts'

/**
 * Accounts a person uses on two devices, against the whole system: sign up with a password, sign in twice (two
 * session tokens), sign out of one, change the password; the limits on guessing; what the log holds.
 */
let system: RunningSystem
const perEmail = 4
const perAddress = 12
beforeAll(async () => {
  system = await startSystem({
    signInLimits: { perEmail, perAddress, windowMs: 60_000 },
    trustProxy: ['127.0.0.1', '::1'],
  })
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

const password = 'correct horse battery'
/** Each test its own client address (as the gateway would forward it), so the per-address limit is its own. */
const from = (address = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`) => ({
  'x-forwarded-for': address,
})

const signUp = async (name = 'Ann') => {
  const email = `${name.toLowerCase()}-${randomUUID()}@example.com`
  const reply = await system.commands.post('/users', { name, email, password })
  expect(reply.status).toBe(201)
  return { id: reply.body.id as string, token: reply.body.token as string, email, name }
}

const signIn = (email: string, secret = password, headers = from()) =>
  system.commands.post('/sessions', { email, password: secret }, { headers })

const sessionToken = async (email: string) => {
  const reply = await signIn(email)
  expect(reply.status).toBe(201)
  return reply.body.token as string
}

/**
 * The status `request` answers once it answers `status`, or the last one after `withinMs` (another process
 * hears of a change within milliseconds: the bound is slack for a busy machine).
 */
const answers = async (request: () => Promise<Reply>, status: number, withinMs = 5_000) => {
  const until = Date.now() + withinMs
  for (;;) {
    const reply = await request()
    if (reply.status === status || Date.now() > until) return reply.status
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const readsOwnAccount = (token: string) => () => system.queries.get('/users/me', { token })
const renames = (token: string) => () => system.commands.patch('/users/me', { name: 'Ann' }, { token })

describe('signing up with a password and signing in on two devices', () => {
  it('gives two session tokens that work on both services, SSE included, and each signs out alone', async () => {
    const ann = await signUp()
    const first = await signIn(ann.email)
    expect(first.status).toBe(201)
    expect(first.body.user).toEqual({ id: ann.id, name: 'Ann', email: ann.email })
    const laptop = first.body.token as string
    const phone = await sessionToken(ann.email)
    expect(new Set([laptop, phone, ann.token]).size).toBe(3)
    expect(laptop.startsWith(`${ann.id}.`)).toBe(true)

    for (const token of [laptop, phone]) {
      expect((await system.commands.patch('/users/me', { name: 'Ann' }, { token })).status).toBe(200)
      expect((await system.queries.get('/users/me', { token })).body).toEqual({
        id: ann.id,
        name: 'Ann',
        email: ann.email,
      })
    }
    using laptopStream = await openEventStream(`${system.queries.base}/events`, {
      authorization: `Bearer ${laptop}`,
    })
    using phoneStream = await openEventStream(`${system.queries.base}/events`, {
      authorization: `Bearer ${phone}`,
    })
    expect([laptopStream.status, phoneStream.status]).toEqual([200, 200])

    const out = await system.commands.delete('/sessions/current', { token: laptop })
    expect(out.status).toBe(204)
    expect(await answers(renames(laptop), 401)).toBe(401)
    expect(await answers(readsOwnAccount(laptop), 401)).toBe(401)
    // Its live stream ends as a rotated token's does; the other device's goes on.
    await laptopStream.until(() => laptopStream.ended, 5_000, 'the signed-out stream to end')
    const noteId = await createNote(system.commands, phone, { title: 'from the phone' })
    await phoneStream.until(
      () => phoneStream.messages.some((message) => JSON.stringify(message.data).includes(noteId)),
      10_000,
      "the phone's note on the phone's stream",
    )
    expect(phoneStream.ended).toBe(false)
    expect((await system.queries.get('/users/me', { token: phone })).status).toBe(200)
    expect((await system.queries.get('/users/me', { token: ann.token })).status).toBe(200)
  })

  it('ends the oldest session at the eleventh sign-in', async () => {
    const ann = await signUp()
    const tokens: string[] = []
    for (let index = 0; index < 11; index++) {
      tokens.push(await sessionToken(ann.email))
      // The e-mail's count starts again after each success, so eleven sign-ins are not rate limited.
    }
    expect(await answers(readsOwnAccount(tokens[0] ?? ''), 401)).toBe(401)
    expect((await system.queries.get('/users/me', { token: tokens[1] ?? '' })).status).toBe(200)
    expect((await system.queries.get('/users/me', { token: tokens[10] ?? '' })).status).toBe(200)
  })

  it('refuses a password shorter than 8 characters with 400, registering nobody', async () => {
    const email = `short-${randomUUID()}@example.com`
    const reply = await system.commands.post('/users', { name: 'Ann', email, password: 'short12' })
    expect(reply.status).toBe(400)
    expect(reply.body.errors).toEqual([expect.objectContaining({ field: 'password' })])
    expect((await system.commands.post('/users', { name: 'Ann', email })).status).toBe(201)
  })

  it('signing out with the API token appends nothing and the token goes on working', async () => {
    const ann = await signUp()
    const before = (await system.jsm.streams.info('USERS')).state.last_seq
    expect((await system.commands.delete('/sessions/current', { token: ann.token })).status).toBe(204)
    expect((await system.jsm.streams.info('USERS')).state.last_seq).toBe(before)
    expect((await system.queries.get('/users/me', { token: ann.token })).status).toBe(200)
  })
})

describe('a failed sign-in', () => {
  it('is the same 401 problem for a wrong password, an unknown e-mail and an account without a password', async () => {
    const ann = await signUp()
    const noPassword = await system.commands.post('/users', {
      name: 'Bob',
      email: `bob-${randomUUID()}@example.com`,
    })
    const replies = await Promise.all([
      signIn(ann.email, 'not the password'),
      signIn(`nobody-${randomUUID()}@example.com`),
      signIn(noPassword.body.email as string),
    ])
    for (const reply of replies) {
      expect(reply.status).toBe(401)
      expect(reply.headers.get('content-type')).toContain('application/problem+json')
      expect(reply.body).toEqual({
        type: 'urn:jetnotes:problem:invalid-credentials',
        title: 'Invalid credentials',
        status: 401,
        detail: 'The e-mail address or password is not correct',
        instance: '/sessions',
      })
    }
  })

  it('is refused with 429 beyond the limit per e-mail, even with the right password', async () => {
    const ann = await signUp()
    for (let attempt = 0; attempt < perEmail; attempt++) {
      expect((await signIn(ann.email, 'wrong password')).status).toBe(401)
    }
    const limited = await signIn(ann.email)
    expect(limited.status).toBe(429)
    expect(limited.body.type).toBe('urn:jetnotes:problem:rate-limited')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('counts per client address as forwarded by a trusted proxy, across e-mail addresses', async () => {
    const address = from('10.9.8.7')
    for (let attempt = 0; attempt < perAddress; attempt++) {
      expect((await signIn(`guess-${attempt}@example.com`, password, address)).status).toBe(401)
    }
    expect((await signIn('guess-next@example.com', password, address)).status).toBe(429)
    // Another address (another client behind the same proxy) is not limited by that one's guesses.
    expect((await signIn('guess-next@example.com', password, from('10.9.8.8'))).status).toBe(401)
  })
})

describe('changing the password', () => {
  it('ends the other sessions, keeps the one it was made from, and the new password signs in', async () => {
    const ann = await signUp()
    const laptop = await sessionToken(ann.email)
    const phone = await sessionToken(ann.email)
    const wrong = await system.commands.put(
      '/users/me/password',
      { currentPassword: 'not it at all', password: 'a new password' },
      { token: laptop },
    )
    expect(wrong.status).toBe(403)
    expect(wrong.body.type).toBe('urn:jetnotes:problem:invalid-credentials')
    const changed = await system.commands.put(
      '/users/me/password',
      { currentPassword: password, password: 'a new password' },
      { token: laptop },
    )
    expect(changed.status).toBe(204)
    // The old password's hash is gone from the credentials bucket; the new one is the only one left.
    const kv = await new Kvm(system.js).open(commandBuckets.credentials)
    const keys: string[] = []
    for await (const key of await kv.keys(`${ann.id}.*`)) keys.push(key)
    expect(keys).toHaveLength(1)
    expect(await answers(readsOwnAccount(phone), 401)).toBe(401)
    expect((await system.queries.get('/users/me', { token: laptop })).status).toBe(200)
    expect((await system.queries.get('/users/me', { token: ann.token })).status).toBe(200)
    expect((await signIn(ann.email)).status).toBe(401)
    expect((await signIn(ann.email, 'a new password')).status).toBe(201)
  })

  it('sets a first password on an account that had none, without a current one', async () => {
    const bob = await system.commands.post('/users', {
      name: 'Bob',
      email: `bob-${randomUUID()}@example.com`,
    })
    const set = await system.commands.put(
      '/users/me/password',
      { password: 'first password' },
      { token: bob.body.token as string },
    )
    expect(set.status).toBe(204)
    expect((await signIn(bob.body.email as string, 'first password')).status).toBe(201)
  })
})

describe('what is stored', () => {
  it('keeps hashes and salts out of the log, in the credentials bucket under <userId>.<credentialId>', async () => {
    const ann = await signUp()
    await sessionToken(ann.email)
    const events = (await readStream(system.js, 'USERS')).filter((message) =>
      message.subject.endsWith(ann.id),
    )
    const credentialIds = events.flatMap((message) =>
      ((message.payload as { events?: { type: string; data: { credentialId?: string } }[] }).events ?? [])
        .filter((event) => event.type === 'UserPasswordChanged')
        .map((event) => event.data.credentialId),
    )
    expect(credentialIds).toHaveLength(1)
    const kv = await new Kvm(system.js).open(commandBuckets.credentials)
    const stored = (await kv.get(`${ann.id}.${credentialIds[0]}`))?.string() ?? ''
    const [scheme, , , , salt, hash] = stored.split('$')
    expect(scheme).toBe('scrypt')
    const log = Buffer.concat(events.map((message) => Buffer.from(message.data))).toString('utf8')
    for (const secret of [salt ?? 'missing', hash ?? 'missing', password]) {
      expect(secret.length).toBeGreaterThan(10)
      expect(log).not.toContain(secret)
      expect(log).not.toContain(Buffer.from(secret, 'base64url').toString('hex'))
    }
  })
})

describe('sharing a note by e-mail address', () => {
  it('shares with the account the address belongs to, and an unknown address is 404 user-not-found', async () => {
    const ann = await signUp('Ann')
    const bea = await signUp('Bea')
    const noteId = await createNote(system.commands, ann.token)
    const shared = await system.commands.post(
      `/notes/${noteId}/shares`,
      { email: bea.email.toUpperCase(), permission: 'write' },
      { token: ann.token },
    )
    expect(shared.status).toBe(200)
    expect(shared.body.shares).toEqual([{ userId: bea.id, permission: 'write' }])
    const unknown = await system.commands.post(
      `/notes/${noteId}/shares`,
      { email: `nobody-${randomUUID()}@example.com`, permission: 'read' },
      { token: ann.token },
    )
    expect(unknown.status).toBe(404)
    expect(unknown.body.type).toBe('urn:jetnotes:problem:user-not-found')
    const both = await system.commands.post(
      `/notes/${noteId}/shares`,
      { email: bea.email, userId: bea.id, permission: 'read' },
      { token: ann.token },
    )
    const neither = await system.commands.post(
      `/notes/${noteId}/shares`,
      { permission: 'read' },
      { token: ann.token },
    )
    expect([both.status, neither.status]).toEqual([400, 400])
  })
})
