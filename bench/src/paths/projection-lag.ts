import { bucketName } from '@jetnotes/schemas'
import { Kvm } from '@nats-io/kv'
import { registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { summarize } from '../measure.ts'
import { untilProjected } from '../projection-caught-up.ts'
import { latencyRow, type Row } from '../report.ts'

/**
 * "projection lag": notes are created at half the create rate measured before (open loop: the next request
 * does not wait for the last), and a KV watch on the live `notes` bucket notes when each view appears. The
 * lag of a note is from its 201 to its view update (0 when the view was there before the 201 arrived).
 */
export const measureProjectionLag = async (
  context: LoadContext,
  maxCreatesPerSecond: number,
): Promise<Row> => {
  const { sizes, commands, js, say } = context
  // Users of their own: the lag of a write includes rewriting its owner's note list, so it depends on how many
  // notes the owner has (see the README); these start with none, as the writers of "create note" did.
  const writers = await Promise.all(
    Array.from({ length: sizes.concurrency }, (_, index) => registerUser(commands, `Bench lag ${index}`)),
  )
  const rate = Math.max(1, maxCreatesPerSecond / 2)
  // The paths before leave a backlog (the writes outran the projector); the lag of a new write is only its own
  // once the projector has caught up.
  const backlog = await untilProjected(context, 'projection lag', { timeoutMs: 120_000 })
  const { generation } = backlog
  say(`projection lag: the projector caught up with the earlier writes in ${backlog.seconds.toFixed(1)} s`)
  const bucket = await new Kvm(js).open(bucketName('notes', generation))
  const viewAt = new Map<string, number>()
  const watch = await bucket.watch({ include: 'updates' })
  void (async () => {
    for await (const entry of watch) if (!viewAt.has(entry.key)) viewAt.set(entry.key, performance.now())
  })()

  say(`projection lag: creating notes at ${Math.round(rate)}/s for ${sizes.lagSeconds} s`)
  const createdAt = new Map<string, number>()
  const inFlight: Promise<void>[] = []
  const started = performance.now()
  const total = Math.round(rate * sizes.lagSeconds)
  for (let sent = 0; sent < total; sent++) {
    // Open loop: request n leaves at its scheduled time, whatever happened to the others.
    const due = started + (sent * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    const token = writers[sent % writers.length]?.token ?? ''
    inFlight.push(
      commands
        .expect(201, 'POST', '/notes', { token, body: { title: `Lag ${sent}`, body: 'Measured.' } })
        .then((reply) => {
          createdAt.set(reply.body.id as string, performance.now())
        }),
    )
  }
  await Promise.all(inFlight)
  const deadline = performance.now() + 10_000
  while ([...createdAt.keys()].some((id) => !viewAt.has(id)) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  watch.stop()
  const lags = [...createdAt].map(([id, at]) =>
    Math.max(0, (viewAt.get(id) ?? Number.POSITIVE_INFINITY) - at),
  )
  const missing = lags.filter((lag) => !Number.isFinite(lag)).length
  const seconds = (performance.now() - started) / 1000
  return latencyRow(
    'projection lag',
    summarize({ count: lags.length, seconds, latenciesMs: lags }),
    25,
    `command 201 -> view in KV, ${lags.length} notes at ${Math.round(rate)}/s` +
      (missing > 0 ? `, ${missing} views not seen within 10 s` : ''),
  )
}
