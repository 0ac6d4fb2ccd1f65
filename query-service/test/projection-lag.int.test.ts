import { Generations, markPosition } from '@jetnotes/projector'
import {
  createNote,
  type Reply,
  type RunningSystem,
  registerUser,
  startProjectorProcess,
  startSystem,
} from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What a read says about the views it read. */
const standingOf = (reply: Reply) => {
  expect(reply.status).toBe(200)
  return {
    position: Number(reply.headers.get('projection-position')),
    lag: Number(reply.headers.get('projection-lag')),
  }
}

const lastSeq = async (system: RunningSystem, stream: string) =>
  (await system.jsm.streams.info(stream)).state.last_seq

/** Waits until the query-service's reads of notes show the views holding the whole NOTES stream. */
const untilCaughtUp = async (system: RunningSystem, token: string, timeout = 30_000) => {
  const last = await lastSeq(system, 'NOTES')
  await expect
    .poll(async () => standingOf(await system.queries.get('/notes', { token })), { timeout, interval: 50 })
    .toEqual({ position: last, lag: 0 })
}

describe('while the projector process is stopped (SIGSTOP) and notes are written', () => {
  it('reports the views behind within a second on every read and in /readyz, and 0 again once it continues', {
    timeout: 90_000,
  }, async () => {
    await using system = await startSystem({ readyMaxLag: 2 })
    const ann = await registerUser(system.commands, 'Ann')
    const noteId = await createNote(system.commands, ann.token, { title: 'Read during the stall' })
    await system.stopProjector()
    const projector = startProjectorProcess(system.nats)
    try {
      await untilCaughtUp(system, ann.token)
      const ready = await system.queries.get('/readyz')
      expect(ready.status).toBe(200)

      projector.child.kill('SIGSTOP')
      for (let i = 0; i < 3; i++) await createNote(system.commands, ann.token, { title: `Unseen ${i}` })
      const written = performance.now()
      const last = await lastSeq(system, 'NOTES')

      const reads = () =>
        Promise.all([
          system.queries.get('/notes', { token: ann.token }),
          system.queries.get(`/notes/${noteId}`, { token: ann.token }),
        ])
      const stalled: { position: number; lag: number }[] = []
      let behind = false
      while (!behind && performance.now() - written < 1_000) {
        const standings = (await reads()).map(standingOf)
        stalled.push(...standings)
        behind = standings.every(({ lag }) => lag > 0)
        if (!behind) await sleep(10)
      }
      expect(behind).toBe(true)
      // A stopped projector moves nothing: the views are exactly as far behind as the writes made them.
      for (let i = 0; i < 10; i++) stalled.push(...(await reads()).map(standingOf))
      for (const { position, lag } of stalled) {
        if (lag === 0) expect(position).toBe(last)
      }
      for (const standing of stalled.slice(-20)) expect(standing).toEqual({ position: last - 3, lag: 3 })

      const notReady = await system.queries.get('/readyz')
      expect(notReady.status).toBe(503)
      expect(notReady.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(notReady.body).toMatchObject({
        type: 'urn:jetnotes:problem:not-ready',
        status: 503,
        checks: { nats: true, buckets: true, 'projection-lag': false },
        details: {
          'projection-lag': {
            notes: { generation: 1, position: last - 3, cachedPosition: last - 3, streamSeq: last, lag: 3 },
            users: { lag: 0 },
          },
        },
      })

      projector.child.kill('SIGCONT')
      await untilCaughtUp(system, ann.token, 10_000)
      expect(standingOf(await system.queries.get(`/notes/${noteId}`, { token: ann.token }))).toEqual({
        position: last,
        lag: 0,
      })
      const readyAgain = await system.queries.get('/readyz')
      expect(readyAgain.status).toBe(200)
      expect(readyAgain.body).toMatchObject({
        status: 'ready',
        details: { 'projection-lag': { notes: { position: last, streamSeq: last, lag: 0 } } },
      })
    } finally {
      await projector.kill()
    }
  })
})

describe('when the process has stopped following a stream', () => {
  it('still sees the stream grow, within about a second, and reports the lag', {
    timeout: 30_000,
  }, async () => {
    await using system = await startSystem()
    const ann = await registerUser(system.commands, 'Ann')
    await createNote(system.commands, ann.token)
    await untilCaughtUp(system, ann.token)
    // The live hub is the follower of NOTES: with it stopped, nothing delivers the new writes to this process.
    system.queryContext.hub.stop()
    await system.stopProjector()
    await createNote(system.commands, ann.token)
    const written = performance.now()
    const last = await lastSeq(system, 'NOTES')
    await expect
      .poll(async () => standingOf(await system.queries.get('/notes', { token: ann.token })), {
        timeout: 3_000,
        interval: 50,
      })
      .toEqual({ position: last - 1, lag: 1 })
    // Confirmed by one stream-info request per quiet second, in the background.
    expect(performance.now() - written).toBeLessThan(2_000)
  })
})

describe('a read served from the view cache', () => {
  it('reports the position of the cache, and a read with a Consistency-Token that of the buckets', async () => {
    await using system = await startSystem()
    const ann = await registerUser(system.commands, 'Ann')
    const created = await system.commands.post('/notes', { title: 'Cached', body: 'b' }, { token: ann.token })
    const token = created.headers.get('consistency-token') ?? ''
    const noteId = created.body.id as string
    await untilCaughtUp(system, ann.token)
    await system.stopProjector()
    const applied = await lastSeq(system, 'NOTES')
    const generations = await Generations.open(system.js, system.jsm, 1, system.logger)
    const cached = () => system.queries.get(`/notes/${noteId}`, { token: ann.token })
    const fresh = () =>
      system.queries.get(`/notes/${noteId}`, { token: ann.token, headers: { 'consistency-token': token } })

    // Two writes the projector does not fold: the stream is 2 ahead of every view.
    await createNote(system.commands, ann.token)
    await createNote(system.commands, ann.token)
    const last = await lastSeq(system, 'NOTES')
    expect(last).toBe(applied + 2)
    await expect.poll(async () => standingOf(await cached())).toEqual({ position: applied, lag: 2 })
    expect(standingOf(await fresh())).toEqual({ position: applied, lag: 2 })

    // The projector's report (the meta bucket) moves on, but no marker has reached the caches: the buckets'
    // readers see the new position, the cache's readers still the old one.
    await generations.setPosition('notes', 1, {
      seq: applied + 1,
      streamSeq: last,
      at: new Date().toISOString(),
    })
    await expect.poll(async () => standingOf(await fresh())).toEqual({ position: applied + 1, lag: 1 })
    expect(standingOf(await cached())).toEqual({ position: applied, lag: 2 })

    // The marker the projector puts after a batch's entries reaches the caches through their watches (put here
    // without the entries: this checks where each read's headers come from, not the fold).
    await markPosition(generations, 'notes', 1, last)
    await expect.poll(async () => standingOf(await cached())).toEqual({ position: last, lag: 0 })
    expect(standingOf(await fresh())).toEqual({ position: applied + 1, lag: 1 })
  })
})
