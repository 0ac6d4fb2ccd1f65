import { ensureBucket } from '@jetnotes/platform'
import {
  type ActiveGeneration,
  bucketName,
  type LegacyNoteIndex,
  metaKeys,
  type NoteRecord,
} from '@jetnotes/schemas'
import {
  caughtUp,
  expectedList,
  expectViewsEqualFold,
  foldNotes,
  generationsOf,
  type HttpClient,
  randomCommands,
  readBucket,
  registerUser,
  startInProcessProjector,
  startSystem,
} from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

/** Every item of a user's note list, page by page. */
const wholeList = async (api: HttpClient, token: string) => {
  const items: unknown[] = []
  let cursor: string | null = null
  do {
    const reply = await api.get(`/notes?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token })
    expect(reply.status).toBe(200)
    items.push(...(reply.body.items as unknown[]))
    cursor = reply.body.nextCursor as string | null
  } while (cursor !== null)
  return items
}

describe('a data directory whose note views have the shape of an older release', () => {
  it('is rebuilt into the current shape at start-up while reads go on', { timeout: 120_000 }, async () => {
    await using system = await startSystem({ notePageSize: 4 })
    const users = []
    for (let i = 0; i < 4; i++) users.push(await registerUser(system.commands, `Upgrade user ${i}`))
    await randomCommands({ api: system.commands, users, steps: 150, seed: 77 })
    await caughtUp(system)
    await system.stopProjector()

    // What the release before paged lists left: notes-gN and note-index-gN (each user's whole list in one
    // entry), their consumer and position, and a pointer without a shape.
    const generations = await generationsOf(system)
    const current = (await generations.active('notes')) as number
    const legacy = current + 1
    const lastSeq = (await system.jsm.streams.info('NOTES')).state.last_seq
    const { notes } = await foldNotes(system.js)
    const records = await ensureBucket(system.js, system.jsm, bucketName('notes', legacy), {
      replicas: 1,
      direct: true,
    })
    for (const [id, record] of await readBucket<NoteRecord>(system.js, bucketName('notes', current)))
      await records.put(id, JSON.stringify(record))
    const index = await ensureBucket(system.js, system.jsm, bucketName('note-index', legacy), {
      replicas: 1,
      direct: true,
    })
    for (const user of users) {
      const list: LegacyNoteIndex = { notes: expectedList(notes, user.id), seq: lastSeq }
      await index.put(user.id, JSON.stringify(list))
    }
    await generations.createConsumer('notes', legacy, lastSeq + 1)
    await generations.setPosition('notes', legacy, {
      seq: lastSeq,
      streamSeq: lastSeq,
      at: new Date().toISOString(),
    })
    await generations.meta.put(
      metaKeys.active('notes'),
      JSON.stringify({ generation: legacy, since: new Date().toISOString() } satisfies ActiveGeneration),
    )
    await generations.drop('notes', current)

    // The query-service reads the older shape as it is.
    const [first] = users
    if (first === undefined) throw new Error('no user')
    await expect
      .poll(() => system.queryContext.readModels.view().generations.notes, { timeout: 10_000 })
      .toBe(legacy)
    for (const user of users)
      expect(await wholeList(system.queries, user.token)).toEqual(expectedList(notes, user.id))

    // Changes made before the upgrade, then a projector of this release starts; reads go on all along.
    await randomCommands({ api: system.commands, users, steps: 60, seed: 78 })
    const statuses = new Map<number, number>()
    let reading = true
    const reads = (async () => {
      while (reading) {
        const reply = await system.queries.get('/notes?limit=5', { token: first.token })
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })()
    console.error('STEP A start two', Date.now() % 100000)
    // Two projectors of this release start at once: only the one that holds the projection upgrades it.
    const [, second] = await Promise.all([
      system.restartProjector(),
      startInProcessProjector(system.nats, system.logger, system.projectionOptions),
    ])
    console.error('STEP B started', Date.now() % 100000)
    await caughtUp(system)
    console.error('STEP C caught up', Date.now() % 100000)
    reading = false
    await reads

    console.error('STEP D reads done', Date.now() % 100000)
    expect([...statuses.keys()]).toEqual([200])
    expect(await generations.pointer('notes')).toMatchObject({ generation: legacy + 1, shape: 2 })
    console.error('STEP E pointer ok', Date.now() % 100000)
    await expectViewsEqualFold(system)
    const folded = await foldNotes(system.js)
    for (const user of users)
      expect(await wholeList(system.queries, user.token)).toEqual(expectedList(folded.notes, user.id))
    console.error('STEP F views ok', Date.now() % 100000)
    // The older shape's buckets go once the grace period is over.
    await expect
      .poll(
        async () => (await system.jsm.streams.names().next()).filter((name) => name.includes(`-g${legacy}`)),
        {
          timeout: 15_000,
        },
      )
      .toEqual([])
    console.error('STEP G stop second', Date.now() % 100000)
    await second.stop()
    console.error('STEP H stopped', Date.now() % 100000)
  })
})
