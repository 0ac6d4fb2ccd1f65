import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import {
  projectionCatalog,
  projectionStatus,
  type RebuildProgress,
  rebuildProjection,
} from '@jetnotes/projector'
import {
  bucketName,
  consumerDescription,
  consumerName,
  type ParkedEvent,
  parkedBucket,
  subjects,
} from '@jetnotes/schemas'
import {
  caughtUp,
  createNote,
  expectViewsEqualFold,
  type RunningSystem,
  randomCommands,
  readBucket,
  registerUser,
  startSystem,
} from '@jetnotes/testing'
import { AckPolicy } from '@nats-io/jetstream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const run = promisify(execFile)

let system: RunningSystem
let users: { id: string; token: string }[]
beforeAll(async () => {
  system = await startSystem()
  users = []
  for (let i = 0; i < 4; i++) users.push(await registerUser(system.commands, `User ${i}`))
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

/** `npm run projections`, as an operator runs it against this system's nats-server. */
const projectionsCli = async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'projector/src/cli/projections.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...system.nats.loginEnv('operator') },
  })
  return stdout
}

describe('a poison event', () => {
  it('is parked with its reason and reported, and the events after it are still folded', async () => {
    const before = await createNote(system.commands, users[0]?.token ?? '', { title: 'Before' })
    // Written around the command-service, as a buggy or older writer might: one is not JSON, one is not an event.
    const notJson = await system.js.publish(subjects.note('poison-1'), 'not json')
    const notAnEvent = await system.js.publish(
      subjects.note('poison-2'),
      JSON.stringify({ events: [{ type: 'NoteExploded' }] }),
    )
    const after = await createNote(system.commands, users[0]?.token ?? '', { title: 'After' })
    await caughtUp(system)

    await expectViewsEqualFold(system)
    const views = await readBucket<{ note: { title: string } }>(system.js, bucketName('notes', 1))
    expect(views.get(before)?.note.title).toBe('Before')
    expect(views.get(after)?.note.title).toBe('After')
    expect(views.has('poison-1') || views.has('poison-2')).toBe(false)

    const parked = await readBucket<ParkedEvent>(system.js, parkedBucket)
    expect(parked.get(`notes.${notJson.seq}`)).toMatchObject({
      projection: 'notes',
      stream: 'NOTES',
      seq: notJson.seq,
      subject: 'notes.poison-1',
      reason: expect.stringContaining('not JSON'),
    })
    expect(parked.get(`notes.${notAnEvent.seq}`)?.reason).toMatch(/type/)

    const status = await projectionStatus(system.jsm, system.generations)
    expect(status.find((entry) => entry.projection === 'notes')).toMatchObject({ parked: 2, lag: 0 })
    const printed = await projectionsCli()
    expect(printed).toMatch(/notes/)
    expect(printed).toMatch(/users/)
    expect(printed).toContain('Parked events failed validation')
  })
})

describe('a rebuild while commands keep arriving', () => {
  it('switches to fresh buckets equal to a fold of the log and removes the old ones', async () => {
    await randomCommands({ api: system.commands, users, steps: 200, seed: 7 })
    await caughtUp(system)
    const from = await system.generations.active('notes')
    const phases = new Set<RebuildProgress['phase']>()

    const writes = randomCommands({ api: system.commands, users, steps: 200, seed: 8 })
    const result = await rebuildProjection(
      {
        nc: system.nc,
        js: system.js,
        jsm: system.jsm,
        generations: system.generations,
        logger: system.logger,
      },
      projectionCatalog.notes,
      { graceMs: 100, onProgress: (progress) => phases.add(progress.phase) },
    )
    await writes
    expect(result).toMatchObject({ from, to: (from ?? 0) + 1, parked: 2 })
    expect(result.events).toBeGreaterThan(50)
    expect([...phases]).toEqual(['replay', 'write', 'switch', 'cleanup'])
    expect(await system.generations.active('notes')).toBe(result.to)

    // The running projector follows the pointer and carries on with what arrived during the rebuild.
    await caughtUp(system)
    await expectViewsEqualFold(system)
    const buckets: string[] = []
    for await (const name of system.jsm.streams.names()) buckets.push(name)
    expect(buckets).toContain(`KV_${bucketName('notes', result.to)}`)
    expect(buckets).not.toContain(`KV_${bucketName('notes', result.from)}`)
    expect(buckets).not.toContain(`KV_${bucketName('note-lists', result.from)}`)

    const status = await projectionStatus(system.jsm, system.generations)
    expect(status.find((entry) => entry.projection === 'notes')).toMatchObject({
      generation: result.to,
      lag: 0,
      parked: 2,
    })
  })
  it("takes its consumer's name from an old generation that still holds it, and folds on", async () => {
    const from = (await system.generations.active('notes')) ?? 0
    const to = from + 1
    // A consumer an interrupted cleanup left behind, three generations back: the name `to` will use.
    await system.jsm.consumers.add('NOTES', {
      durable_name: consumerName('notes', to),
      description: consumerDescription('notes', to - 3),
      ack_policy: AckPolicy.Explicit,
    })
    const deps = {
      nc: system.nc,
      js: system.js,
      jsm: system.jsm,
      generations: system.generations,
      logger: system.logger,
    }
    const result = await rebuildProjection(deps, projectionCatalog.notes, { graceMs: 100 })
    expect(result).toMatchObject({ from, to })
    const consumer = await system.jsm.consumers.info('NOTES', consumerName('notes', to))
    expect(consumer.config.description).toBe(consumerDescription('notes', to))

    await randomCommands({ api: system.commands, users, steps: 50, seed: 9 })
    await caughtUp(system)
    await expectViewsEqualFold(system)
  })
})
