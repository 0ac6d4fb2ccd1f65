import type { NatsUser } from '@jetnotes/platform'
import { consumerName } from '@jetnotes/schemas'
import { connect, type NatsConnection, PermissionViolationError } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNote, registerUser } from '../src/http-client.ts'
import { type RunningSystem, startSystem } from '../src/system.ts'

/**
 * What each service's NATS user must not do, tried against a running system: every attempt is refused by the
 * server (a permissions violation for exactly that subject), and afterwards the streams, buckets and the
 * projector's consumers are all still there and the system still works.
 */
const projectorConsumer = consumerName('notes', 1)
const forbidden = {
  'publish a note event': { publish: 'notes.forged-note' },
  'publish a user event': { publish: 'users.forged-user' },
  'delete the NOTES stream': { publish: '$JS.API.STREAM.DELETE.NOTES' },
  'delete the USERS stream': { publish: '$JS.API.STREAM.DELETE.USERS' },
  "change the event log's limits": { publish: '$JS.API.STREAM.UPDATE.NOTES' },
  'purge the event log': { publish: '$JS.API.STREAM.PURGE.NOTES' },
  'delete a message of the event log': { publish: '$JS.API.STREAM.MSG.DELETE.USERS' },
  "delete the command side's e-mail bucket": { publish: '$JS.API.STREAM.DELETE.KV_user-emails' },
  'read an e-mail claim': { publish: '$JS.API.DIRECT.GET.KV_user-emails.$KV.user-emails.someone' },
  'read an idempotency record': { publish: '$JS.API.STREAM.MSG.GET.KV_idempotency' },
  'forge an idempotency record': { publish: '$KV.idempotency.some-key' },
  'follow the e-mail bucket': { publish: '$JS.API.CONSUMER.CREATE.KV_user-emails.spy' },
  'read a password hash': { publish: '$JS.API.DIRECT.GET.KV_credentials.$KV.credentials.someone' },
  'read a password hash from the leader': { publish: '$JS.API.STREAM.MSG.GET.KV_credentials' },
  'follow the credentials bucket': { publish: '$JS.API.CONSUMER.CREATE.KV_credentials.spy' },
  'forge a password hash': { publish: '$KV.credentials.someone.forged' },
  "delete the command side's credentials bucket": { publish: '$JS.API.STREAM.DELETE.KV_credentials' },
  'delete the projections pointer bucket': { publish: '$JS.API.STREAM.DELETE.KV_projections' },
  'delete a read-model bucket': { publish: '$JS.API.STREAM.DELETE.KV_notes-g1' },
  'write a read-model entry': { publish: '$KV.notes-g1.forged' },
  "delete the projector's consumer": { publish: `$JS.API.CONSUMER.DELETE.NOTES.${projectorConsumer}` },
  "ack the projector's messages": { publish: `$JS.ACK.NOTES.${projectorConsumer}.1.1.1.1.0` },
  "pull the projector's messages": { publish: `$JS.API.CONSUMER.MSG.NEXT.NOTES.${projectorConsumer}` },
  "change the projector's consumer": { publish: `$JS.API.CONSUMER.CREATE.NOTES.${projectorConsumer}` },
  "change the projector's consumer's filter": {
    publish: `$JS.API.CONSUMER.CREATE.NOTES.${projectorConsumer}.notes.>`,
  },
  "change the projector's consumer named in a request's body": { publish: '$JS.API.CONSUMER.CREATE.NOTES' },
  "read the projector's consumer's state": { publish: `$JS.API.CONSUMER.INFO.NOTES.${projectorConsumer}` },
  'listen to every note event': { subscribe: 'notes.>' },
  "read another connection's replies": { subscribe: '_INBOX_other.>' },
} as const
type Attempt = keyof typeof forbidden

/** For each service, what its user must not do: everything above except what its work is. */
const refusedFor: Record<Exclude<NatsUser, 'operator'>, Attempt[]> = {
  'command-service': without(
    'publish a note event',
    'publish a user event',
    'read an e-mail claim',
    'read an idempotency record',
    'forge an idempotency record',
    'read a password hash',
    'read a password hash from the leader',
    'forge a password hash',
  ),
  // Its own read models and consumers are its work: it writes them and removes old generations.
  projector: without(
    'delete a read-model bucket',
    'write a read-model entry',
    "delete the projector's consumer",
    "ack the projector's messages",
    "pull the projector's messages",
    "change the projector's consumer",
    "change the projector's consumer's filter",
    "change the projector's consumer named in a request's body",
    "read the projector's consumer's state",
  ),
  'query-service': without(),
}

function without(...allowed: Attempt[]): Attempt[] {
  return (Object.keys(forbidden) as Attempt[]).filter((attempt) => !allowed.includes(attempt))
}

/** Resolves with the server's permissions violation for `subject` on this connection (or rejects after 3 s). */
const violationFor = (nc: NatsConnection, subject: string) =>
  new Promise<PermissionViolationError>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no permissions violation for ${subject}`)), 3_000)
    void (async () => {
      for await (const status of nc.status()) {
        if (
          status.type === 'error' &&
          status.error instanceof PermissionViolationError &&
          status.error.subject === subject
        ) {
          clearTimeout(timer)
          return resolve(status.error)
        }
      }
    })()
  })

let system: RunningSystem
beforeAll(async () => {
  system = await startSystem()
  // A note, so the streams, the read models and the projector's consumers all hold something.
  const ann = await registerUser(system.commands)
  await createNote(system.commands, ann.token)
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

describe('a NATS client without credentials', () => {
  it('is refused', async () => {
    await expect(connect({ servers: system.nats.url })).rejects.toThrow(/authorization/i)
  })
})

describe.each(Object.entries(refusedFor))('the %s user', (user, attempts) => {
  let nc: NatsConnection
  beforeAll(async () => {
    nc = await system.nats.connect(user as NatsUser, { name: `permissions-${user}` })
  })
  afterAll(async () => {
    await nc?.close()
  })

  it.each(attempts)('may not %s', async (attempt) => {
    const tried = forbidden[attempt]
    if ('publish' in tried) {
      const violation = violationFor(nc, tried.publish)
      nc.publish(tried.publish, '{}', { reply: `_INBOX.${user}-probe` })
      expect((await violation).operation).toBe('publish')
    } else {
      const violation = violationFor(nc, tried.subscribe)
      nc.subscribe(tried.subscribe)
      expect((await violation).operation).toBe('subscription')
    }
  })
})

describe('after every refused attempt', () => {
  it('the streams, buckets and consumers are intact and the system still works', async () => {
    for (const stream of [
      'NOTES',
      'USERS',
      'KV_user-emails',
      'KV_idempotency',
      'KV_credentials',
      'KV_projections',
      'KV_notes-g1',
    ]) {
      await expect(system.jsm.streams.info(stream), stream).resolves.toBeDefined()
    }
    await expect(system.jsm.consumers.info('NOTES', projectorConsumer)).resolves.toBeDefined()
    const bob = await registerUser(system.commands)
    const created = await system.commands.post(
      '/notes',
      { title: 'still works', body: '' },
      { token: bob.token },
    )
    expect(created.status).toBe(201)
    const read = await system.queries.get(`/notes/${created.body.id as string}`, {
      token: bob.token,
      headers: { 'consistency-token': created.headers.get('consistency-token') ?? '' },
    })
    expect(read.status).toBe(200)
    expect(read.body.title).toBe('still works')
  })
})
