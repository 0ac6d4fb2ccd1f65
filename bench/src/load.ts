import { connectNats } from '@jetnotes/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { pino } from 'pino'
import { httpClient } from './http.ts'
import type { LoadContext, Target } from './load-context.ts'
import { measureBigUser } from './paths/big-user.ts'
import { measureBystanderLag } from './paths/bystander-lag.ts'
import { measureHistoryGrowth } from './paths/history.ts'
import { measureListAtScale } from './paths/list-at-scale.ts'
import { measureLiveFanOut } from './paths/live-fan-out.ts'
import { measureProjectionLag } from './paths/projection-lag.ts'
import { measureReads } from './paths/reads.ts'
import { measureRebuild } from './paths/rebuild.ts'
import { measureAgainstPeer } from './paths/whole-system-vs-peer.ts'
import { measureWritePathAlone } from './paths/write-path-alone.ts'
import { measureWrites } from './paths/writes.ts'
import type { Row } from './report.ts'
import { fullSizes, quickSizes } from './sizes.ts'

/**
 * The load generator: a process of its own (forked by `npm run bench`), so the services never share a CPU
 * queue or a heap with the load. Runs every path in turn and sends the rows back to the parent.
 */
const target = JSON.parse(process.env.BENCH_TARGET ?? '{}') as Target
const sizes = target.quick ? quickSizes : fullSizes
const logger = pino({ level: 'warn' })
// The ceilings get the same client options as the services: the same connection policy.
const nc = await connectNats(target.nats, { name: 'bench-load', logger })
const context: LoadContext = {
  sizes,
  commands: httpClient(target.commandUrl, sizes.concurrency),
  queries: httpClient(target.queryUrl, sizes.concurrency),
  queryUrl: target.queryUrl,
  ...(target.queryInspector === undefined ? {} : { queryInspector: target.queryInspector }),
  nc,
  js: jetstream(nc),
  jsm: await jetstreamManager(nc),
  logger,
  say: (message) => console.log(message),
}

// `--only a,b` (for profiling one path): writes always run, as the other paths use their users and notes.
const only = target.only
const wanted = (path: string) => only === undefined || only.includes(path)
const rows: Row[] = []
const writes = await measureWrites(context)
rows.push(...writes.rows)
if (wanted('write-alone'))
  rows.push(...(await measureWritePathAlone(context, { profileArgs: target.profiling })))
if (wanted('read')) rows.push(await measureReads(context, writes.users, writes.notes))
if (wanted('history')) rows.push(await measureHistoryGrowth(context))
if (wanted('rebuild')) rows.push(await measureRebuild(context))
if (wanted('lag')) rows.push(await measureProjectionLag(context, writes.create.perSecond))
if (wanted('live'))
  for (const fanOut of sizes.liveFanOuts) rows.push(...(await measureLiveFanOut(context, fanOut)))
if (wanted('peer')) rows.push(await measureAgainstPeer(context, writes.create))
// Last, and the bystander first: these make users of 100,000 and more notes, which the paths before should not
// meet, and a projector they stall (reported as failed rows) must not take the bystander's row with it.
if (wanted('bystander')) rows.push(...(await measureBystanderLag(context)))
if (wanted('list')) rows.push(...(await measureListAtScale(context)))
if (wanted('big-user')) rows.push(...(await measureBigUser(context)))

await context.commands.close()
await context.queries.close()
await nc.close()
process.send?.({ rows }, () => process.disconnect())
