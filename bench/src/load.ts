import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { pino } from 'pino'
import { httpClient } from './http.ts'
import type { LoadContext, Target } from './load-context.ts'
import { measureHistoryGrowth } from './paths/history.ts'
import { measureLiveFanOut } from './paths/live-fan-out.ts'
import { measureProjectionLag } from './paths/projection-lag.ts'
import { measureReads } from './paths/reads.ts'
import { measureRebuild } from './paths/rebuild.ts'
import { measureWrites } from './paths/writes.ts'
import type { Row } from './report.ts'
import { fullSizes, quickSizes } from './sizes.ts'

/**
 * The load generator: a process of its own (forked by `npm run bench`), so the services never share a CPU
 * queue or a heap with the load. Runs every path in turn and sends the rows back to the parent.
 */
const target = JSON.parse(process.env.BENCH_TARGET ?? '{}') as Target
const sizes = target.quick ? quickSizes : fullSizes
const nc = await connect({ servers: target.natsUrl, name: 'bench-load' })
const context: LoadContext = {
  sizes,
  commands: httpClient(target.commandUrl, sizes.concurrency),
  queries: httpClient(target.queryUrl, sizes.concurrency),
  queryUrl: target.queryUrl,
  js: jetstream(nc),
  jsm: await jetstreamManager(nc),
  logger: pino({ level: 'warn' }),
  say: (message) => console.log(message),
}

const rows: Row[] = []
const writes = await measureWrites(context)
rows.push(...writes.rows)
rows.push(await measureReads(context, writes.users, writes.notes))
rows.push(await measureHistoryGrowth(context))
rows.push(await measureRebuild(context))
rows.push(await measureProjectionLag(context, writes.users, writes.create.perSecond))
rows.push(await measureLiveFanOut(context))

await context.commands.close()
await context.queries.close()
await nc.close()
process.send?.({ rows }, () => process.disconnect())
