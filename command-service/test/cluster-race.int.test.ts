import { encodeConsistencyToken } from '@jetnotes/schemas'
import {
  type CommandServiceProcess,
  caughtUp,
  createNote,
  expectViewsEqualFold,
  foldNotes,
  openEventStream,
  type RunningSystem,
  registerUser,
  startCommandServiceProcess,
  startNatsCluster,
  startSystem,
} from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

/**
 * The race nats-server#4320 (before 2.9.21) and #8469 (a leader change) can lose on a replicated stream: two
 * appends with the same expected subject sequence both accepted. Two command-service processes on a 3-node
 * cluster, R3 streams, 50 concurrent edits of a note with one If-Match: however many the servers let into the
 * log, the clients hear exactly one 200, and every view and the history show exactly one change. The servers
 * let a second edit in only now and then, so the race is run on a few notes, one after the other.
 */
const notes = 4

/** A raced note: the body of the one edit that succeeded, and how many edits the cluster let into its log. */
type Race = { id: string; winner: string; logged: number }

/** 50 concurrent edits of a new note with If-Match "1", half through each process. */
const race = async (
  system: RunningSystem,
  [one, two]: readonly CommandServiceProcess[],
  token: string,
): Promise<Omit<Race, 'logged'>> => {
  if (one === undefined || two === undefined) throw new Error('two processes')
  const id = await createNote(one.api, token, { title: 'Raced', body: 'v1' })
  // Both processes hold version 1 in their caches, so neither knows of the other's write before appending.
  for (const process of [one, two]) {
    const warm = await process.api.patch(
      `/notes/${id}`,
      { body: 'x' },
      { token, headers: { 'if-match': '"9"' } },
    )
    expect(warm.status).toBe(412)
  }
  const head = (await system.jsm.streams.info('NOTES')).state.last_seq
  const live = await openEventStream(`${system.queries.base}/notes/${id}/events`, {
    authorization: `Bearer ${token}`,
    'consistency-token': encodeConsistencyToken({ stream: 'NOTES', seq: head }),
  })
  expect(live.status).toBe(200)

  const replies = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (i % 2 === 0 ? one : two).api.patch(
        `/notes/${id}`,
        { body: `edit ${i}` },
        { token, headers: { 'if-match': '"1"' } },
      ),
    ),
  )
  const statuses = replies.map((reply) => reply.status)
  expect(statuses.filter((status) => status === 200)).toHaveLength(1)
  expect(statuses.filter((status) => status === 412)).toHaveLength(49)
  const winner = (replies.find((reply) => reply.status === 200)?.body as { body: string } | undefined)?.body
  if (winner === undefined) throw new Error('no edit succeeded')

  // The live stream of the note carries the one change, and nothing else once the hub has read the log.
  await live.received(1)
  const last = (await system.jsm.streams.info('NOTES')).state.last_seq
  await expect.poll(() => system.queryContext.hub.position.seq).toBeGreaterThanOrEqual(last)
  expect(
    live.messages.map((message) => [message.event, (message.data.note as { body: string }).body]),
  ).toEqual([['NoteEdited', winner]])
  live.close()
  return { id, winner }
}

describe('two command-service processes on a 3-node cluster, 50 concurrent edits with one If-Match', () => {
  it('answer exactly one 200 (the rest 412), and every view and the history show exactly one change', async () => {
    await using cluster = await startNatsCluster({ nodes: 3 })
    await using system = await startSystem({ nats: cluster, replicas: 3 })
    // Each process first connects to a node of its own (the cluster routes their appends to the stream leader).
    const [first, second] = cluster.nodes
    const replicated = { STREAM_REPLICAS: '3' }
    await using one = await startCommandServiceProcess(cluster, { ...replicated, NATS_URL: first?.url ?? '' })
    await using two = await startCommandServiceProcess(cluster, {
      ...replicated,
      NATS_URL: second?.url ?? '',
    })
    expect((await system.jsm.streams.info('NOTES')).config.num_replicas).toBe(3)
    const ann = await registerUser(one.api, 'Ann')

    const races: Omit<Race, 'logged'>[] = []
    for (let note = 0; note < notes; note++) races.push(await race(system, [one, two], ann.token))

    // How many edits the servers let into the log: 1 when they held the expectation, more when they did not.
    const { events } = await foldNotes(system.js)
    const raced: Race[] = races.map((raced) => ({
      ...raced,
      logged: (events.get(raced.id) ?? []).filter(({ event }) => event.type === 'NoteEdited').length,
    }))
    console.info(
      `edits the cluster let into the log, per note: ${raced.map(({ logged }) => logged).join(', ')}`,
    )
    await caughtUp(system)
    await expectViewsEqualFold(system)
    for (const { id, winner } of raced) {
      const accepted = (events.get(id) ?? []).filter(
        ({ event, refused }) => event.type === 'NoteEdited' && !refused,
      )
      expect(accepted).toHaveLength(1)

      const read = await system.queries.get(`/notes/${id}`, { token: ann.token })
      expect(read.body).toMatchObject({ body: winner, version: 2 })
      for (const process of [one, two]) {
        const stale = await process.api.patch(
          `/notes/${id}`,
          { title: 'Next' },
          { token: ann.token, headers: { 'if-match': '"1"' } },
        )
        expect(stale.status).toBe(412)
      }
      const history = await system.queries.get(`/notes/${id}/history?limit=100`, { token: ann.token })
      const items = history.body.items as { version: number; refused: boolean; changes: unknown[] }[]
      expect(items.filter((item) => !item.refused).map((item) => [item.version, item.changes])).toEqual([
        [1, expect.anything()],
        [2, [{ field: 'body', before: 'v1', after: winner }]],
      ])
    }
  }, 120_000)
})
