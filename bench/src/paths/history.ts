import { registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { quantile } from '../measure.ts'
import type { Row } from '../report.ts'

/**
 * "history growth": PATCH p50 on a note with a long history against one with 10 events. Both notes get their
 * events through the API; the timed PATCHes alternate between the two notes so drift affects both alike.
 */
export const measureHistoryGrowth = async (context: LoadContext): Promise<Row> => {
  const { sizes, commands, say } = context
  const owner = await registerUser(commands, 'Bench historian')
  const create = async () =>
    (
      await commands.expect(201, 'POST', '/notes', {
        token: owner.token,
        body: { title: 'History', body: '' },
      })
    ).body.id as string
  const edit = (id: string, text: string) =>
    commands.expect(200, 'PATCH', `/notes/${id}`, { token: owner.token, body: { body: text } })

  const long = await create()
  const short = await create()
  say(`history growth: writing ${sizes.longHistory} events to one note`)
  let written = 1
  const writers = Array.from({ length: 16 }, async () => {
    while (written < sizes.longHistory) {
      const event = ++written
      await edit(long, `event ${event}`)
      if (event % 2_000 === 0) say(`history growth: ${event} events`)
    }
  })
  await Promise.all(writers)
  for (let version = 2; version <= 10; version++) await edit(short, `event ${version}`)

  const latencies = { long: [] as number[], short: [] as number[] }
  for (let sample = 0; sample < sizes.historySamples; sample++) {
    for (const which of ['long', 'short'] as const) {
      const begun = performance.now()
      await edit(which === 'long' ? long : short, `sample ${sample}`)
      latencies[which].push(performance.now() - begun)
    }
  }
  const p50 = (values: number[]) =>
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    )
  const longP50 = p50(latencies.long)
  const shortP50 = p50(latencies.short)
  const ratio = Math.round((longP50 / shortP50) * 100) / 100
  return {
    path: 'history growth',
    jetnotes: Math.round(longP50 * 100) / 100,
    ceiling: Math.round(shortP50 * 100) / 100,
    ratio,
    target: '<= 1.5',
    met: ratio <= 1.5,
    unit: 'ms (p50)',
    detail:
      `PATCH p50 on a note with ${sizes.longHistory}+ events vs one with 10+, ${sizes.historySamples} ` +
      'PATCHes each, one at a time, cache warm (the command-service keeps recent note states; a cold note ' +
      'loads from its latest snapshot plus at most 50 events)',
  }
}
