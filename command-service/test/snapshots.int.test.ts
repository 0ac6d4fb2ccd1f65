import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { snapshotInterval } from '../src/notes/note-repository.ts'
import {
  type CommandService,
  createNote,
  registerUser,
  startCommandApp,
  startCommandService,
} from './command-service-fixture.ts'

let service: CommandService
beforeAll(async () => {
  service = await startCommandService()
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

/** Edits a note `count` times, one after the other. */
const edit = async (api: CommandService['api'], token: string, id: string, count: number) => {
  for (let i = 0; i < count; i++) {
    const reply = await api.patch(`/notes/${id}`, { body: `edit ${i}` }, { token })
    if (reply.status !== 200) throw new Error(`edit failed with ${reply.status}`)
  }
}

describe('a note with a long history', () => {
  it(`gets a snapshot every ${snapshotInterval} events, and a fresh process decides on snapshot + newer events`, async () => {
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    await edit(service.api, ann.token, id, 2 * snapshotInterval + 10)
    const version = 2 * snapshotInterval + 11

    const snapshots = await new Kvm(jetstream(service.nc)).open('note-snapshots')
    await expect
      .poll(async () => (await snapshots.get(id))?.json<{ state: { version: number } }>().state.version)
      .toBe(2 * snapshotInterval)

    await using fresh = await (async () => {
      const app = await startCommandApp(service.nats)
      return { ...app, [Symbol.asyncDispose]: app.close }
    })()
    const reply = await fresh.api.patch(
      `/notes/${id}`,
      { title: 'cold' },
      { token: ann.token, headers: { 'if-match': `"${version}"` } },
    )
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      version: version + 1,
      title: 'cold',
      body: `edit ${2 * snapshotInterval + 9}`,
    })
  })

  it('ignores an unreadable snapshot and replays the log instead', async () => {
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    await edit(service.api, ann.token, id, 5)
    const snapshots = await new Kvm(jetstream(service.nc)).open('note-snapshots')
    await snapshots.put(id, 'not json at all')

    await using fresh = await (async () => {
      const app = await startCommandApp(service.nats)
      return { ...app, [Symbol.asyncDispose]: app.close }
    })()
    const reply = await fresh.api.patch(
      `/notes/${id}`,
      { title: 'replayed' },
      { token: ann.token, headers: { 'if-match': '"6"' } },
    )
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ version: 7, body: 'edit 4' })
  })
})
