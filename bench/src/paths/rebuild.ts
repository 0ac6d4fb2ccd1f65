import { Generations, projectionCatalog, rebuildProjection } from '@jetnotes/projector'
import { noteAggregate } from '@jetnotes/schemas'
import type { LoadContext } from '../load-context.ts'
import type { Row } from '../report.ts'

/** Replays the whole NOTES stream with an ordered consumer, doing nothing with the messages. */
const rawReplay = async ({ js, jsm }: LoadContext) => {
  const { state } = await jsm.streams.info(noteAggregate.stream)
  const started = performance.now()
  const messages = await (await js.consumers.get(noteAggregate.stream)).consume({ max_messages: 2048 })
  let count = 0
  for await (const message of messages) {
    count++
    if (message.info.pending === 0 || message.seq >= state.last_seq) break
  }
  messages.stop()
  return { events: count, perSecond: count / ((performance.now() - started) / 1000) }
}

/** "rebuild": `npm run rebuild notes` (the same function) against a raw ordered-consumer replay of NOTES. */
export const measureRebuild = async (context: LoadContext): Promise<Row> => {
  const { nc, js, jsm, logger, say } = context
  say('rebuild: raw ordered-consumer replay of NOTES')
  const raw = await rawReplay(context)
  say(`rebuild: notes projection (${raw.events} events) into fresh buckets`)
  const generations = await Generations.open(js, jsm, 1, logger)
  const result = await rebuildProjection({ nc, js, jsm, generations, logger }, projectionCatalog.notes, {
    graceMs: 1_000,
  })
  const perSecond = result.events / result.seconds
  const ratio = Math.round((perSecond / raw.perSecond) * 100) / 100
  return {
    path: 'rebuild',
    jetnotes: Math.round(perSecond),
    ceiling: Math.round(raw.perSecond),
    ratio,
    target: '>= 0.5',
    met: ratio >= 0.5,
    unit: 'events/s',
    detail:
      `${result.events} events into ${result.entries} entries in ${result.seconds.toFixed(2)} s ` +
      `(replay, write, consumer, switch); raw replay of ${raw.events} messages`,
  }
}
