import { subjects } from '@jetnotes/schemas'
import {
  freePorts,
  metricValue,
  openEventStream,
  type ProjectorProcess,
  registerUser,
  type Sample,
  scrapeMetrics,
  startProjectorProcess,
  startSystem,
} from '@jetnotes/testing'
import { describe, expect, it } from 'vitest'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Scrapes `base` until `holds` is true of what it finds; fails with the last scrape after `timeoutMs`. */
const scrapeUntil = async (base: string, holds: (samples: Sample[]) => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const samples = await scrapeMetrics(base)
    if (holds(samples)) return samples
    if (Date.now() > deadline) throw new Error(`${base}/metrics never showed what was awaited`)
    await sleep(200)
  }
}

/** Waits until the projector process answers /readyz with 200. */
const ready = async (base: string) => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const status = await fetch(`${base}/readyz`).then(
      (response) => response.status,
      () => 0,
    )
    if (status === 200) return
    if (Date.now() > deadline) throw new Error(`${base} never became ready`)
    await sleep(100)
  }
}

const notes = { projection: 'notes' }

describe('GET /metrics of every service, after some traffic', () => {
  it('shows requests, appends, conflicts, replays, parked events, live clients, cache reads and the projection lag rising while the projector is paused and falling after', {
    timeout: 60_000,
  }, async () => {
    await using system = await startSystem()
    // The projections in two projector processes with long leases: the first folds, the second stands by and
    // does not take over while the first is paused, so both report the same projections from NATS.
    await system.stopProjector()
    const ports = await freePorts(2)
    const env = (port: number) => ({ PROJECTOR_PORT: String(port), PROJECTOR_LEASE_MS: '60000' })
    const projectors: ProjectorProcess[] = []
    try {
      projectors.push(startProjectorProcess(system.nats, env(ports[0] as number)))
      const folding = `http://127.0.0.1:${ports[0]}`
      const standby = `http://127.0.0.1:${ports[1]}`
      await ready(folding)
      projectors.push(startProjectorProcess(system.nats, env(ports[1] as number)))
      await ready(standby)

      const { commands, queries } = system
      const owner = await registerUser(commands)
      const token = owner.token
      await using live = await openEventStream(`${queries.base}/events`, { authorization: `Bearer ${token}` })
      const created = []
      for (let i = 0; i < 5; i++) {
        created.push(await commands.post('/notes', { title: `Note ${i}`, body: '' }, { token }))
      }
      const id = created[0]?.body.id as string
      expect(
        (await commands.patch(`/notes/${id}`, { body: 'x' }, { token, headers: { 'if-match': '"1"' } }))
          .status,
      ).toBe(200)
      // Stale: the note is at version 2 now.
      expect(
        (await commands.patch(`/notes/${id}`, { body: 'y' }, { token, headers: { 'if-match': '"1"' } }))
          .status,
      ).toBe(412)
      const keyed = { token, headers: { 'idempotency-key': 'metrics-test-key' } }
      expect((await commands.post('/notes', { title: 'Once', body: '' }, keyed)).status).toBe(201)
      const replay = await commands.post('/notes', { title: 'Once', body: '' }, keyed)
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
      await live.until(() => live.messages.length >= 7)
      for (let i = 0; i < 3; i++) expect((await queries.get(`/notes/${id}`, { token })).status).toBe(200)
      // A message no reader can decode: the projector parks it.
      await system.js.publish(subjects.note('poison'), 'not JSON')

      const command = await scrapeMetrics(commands.base)
      expect(metricValue(command, 'jetnotes_appends_total', { stream: 'NOTES', outcome: 'appended' })).toBe(7)
      expect(metricValue(command, 'jetnotes_append_duration_seconds_count', { stream: 'NOTES' })).toBe(7)
      expect(metricValue(command, 'jetnotes_command_conflicts_total', { route: '/notes/:id' })).toBe(1)
      expect(metricValue(command, 'jetnotes_idempotent_replays_total')).toBe(1)
      const posts = { method: 'POST', route: '/notes', status: '201' }
      expect(metricValue(command, 'jetnotes_http_request_duration_seconds_count', posts)).toBe(7)
      const conflicts = { method: 'PATCH', route: '/notes/:id', status: '412' }
      expect(metricValue(command, 'jetnotes_http_request_duration_seconds_count', conflicts)).toBe(1)
      expect(metricValue(command, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000)
      // Routes by pattern only: no note id is a label value.
      expect(command.some((sample) => Object.values(sample.labels).some((value) => value.includes(id)))).toBe(
        false,
      )

      const query = await scrapeMetrics(queries.base)
      expect(metricValue(query, 'jetnotes_live_connections')).toBe(1)
      expect(metricValue(query, 'jetnotes_view_cache_hits_total', { read_model: 'notes' })).toBeGreaterThan(0)
      expect(metricValue(query, 'jetnotes_view_cache_misses_total', { read_model: 'notes' })).toBeGreaterThan(
        0,
      )
      expect(metricValue(query, 'jetnotes_live_clients_cut_total')).toBe(0)
      expect(
        metricValue(query, 'jetnotes_http_request_duration_seconds_count', { route: '/notes/:id' }),
      ).toBe(3)

      const caughtUp = (samples: Sample[]) =>
        metricValue(samples, 'jetnotes_projection_lag_events', notes) === 0 &&
        metricValue(samples, 'jetnotes_projection_position', notes) === 8
      const folder = await scrapeUntil(folding, caughtUp)
      expect(metricValue(folder, 'jetnotes_projection_held', notes)).toBe(1)
      expect(metricValue(folder, 'jetnotes_projector_events_folded_total', notes)).toBeGreaterThanOrEqual(8)
      expect(metricValue(folder, 'jetnotes_projector_parked_total', { ...notes, kind: 'event' })).toBe(1)
      expect(metricValue(folder, 'jetnotes_projection_lag_seconds', notes)).toBe(0)
      expect(metricValue(folder, 'jetnotes_projection_consumer_pending', notes)).toBe(0)
      expect(metricValue(folder, 'jetnotes_projection_parked_events', notes)).toBe(1)
      const standing = await scrapeUntil(standby, caughtUp)
      expect(metricValue(standing, 'jetnotes_projection_held', notes)).toBe(0)
      expect(metricValue(standing, 'jetnotes_projection_parked_events', notes)).toBe(1)
      expect(metricValue(standing, 'jetnotes_projector_events_folded_total', notes)).toBeUndefined()

      // Paused: the projection falls behind by what is written meanwhile, in events and in seconds.
      projectors[0]?.child.kill('SIGSTOP')
      for (let i = 0; i < 4; i++) await commands.post('/notes', { title: `Later ${i}`, body: '' }, { token })
      await sleep(1_100)
      const behind = await scrapeUntil(
        standby,
        (samples) => metricValue(samples, 'jetnotes_projection_lag_events', notes) === 4,
      )
      expect(metricValue(behind, 'jetnotes_projection_lag_seconds', notes)).toBeGreaterThanOrEqual(1)
      // Delivered to the paused process already (its pull was waiting), or not yet: either way unacknowledged.
      const unacked =
        (metricValue(behind, 'jetnotes_projection_consumer_pending', notes) ?? 0) +
        (metricValue(behind, 'jetnotes_projection_consumer_ack_pending', notes) ?? 0)
      expect(unacked).toBe(4)
      await scrapeUntil(
        queries.base,
        (samples) => metricValue(samples, 'jetnotes_query_view_lag_events', notes) === 4,
      )

      // Resumed: it catches up, and every view of the lag says so.
      projectors[0]?.child.kill('SIGCONT')
      const after = (samples: Sample[]) =>
        metricValue(samples, 'jetnotes_projection_lag_events', notes) === 0 &&
        metricValue(samples, 'jetnotes_projection_lag_seconds', notes) === 0
      await scrapeUntil(standby, after)
      await scrapeUntil(folding, after)
      await scrapeUntil(
        queries.base,
        (samples) => metricValue(samples, 'jetnotes_query_view_lag_events', notes) === 0,
      )
    } finally {
      await Promise.all(projectors.map((projector) => projector.kill()))
    }
  })
})
