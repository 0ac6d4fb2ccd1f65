import { type ProjectionStatus, projectionStatus } from '../status.ts'
import { connectForCli } from './connect.ts'

/** `npm run projections`: where each projection stands against its stream, and which projector folds it. */
const { nc, jsm, generations } = await connectForCli()
// The holder's clock says when its lease runs out; a margin for clocks that disagree a little.
const expired = (status: ProjectionStatus) =>
  status.leaseExpiresAt !== undefined && Date.parse(status.leaseExpiresAt) + 2_000 < Date.now()
const statuses = await projectionStatus(jsm, generations)
console.table(
  statuses.map((status) => ({
    projection: status.projection,
    holder:
      status.holder === undefined ? '- (none)' : `${status.holder}${expired(status) ? ' (expired)' : ''}`,
    generation: status.generation ?? '-',
    position: status.position,
    'stream last seq': status.streamSeq,
    lag: status.lag,
    'lag (s)': Math.round(status.lagSeconds * 10) / 10,
    'consumer pending': status.consumerPending ?? '-',
    'ack pending': status.ackPending ?? '-',
    redelivered: status.redelivered ?? '-',
    'parked events': status.parked,
    'parked writes': status.parkedWrites,
  })),
)
if (statuses.some((status) => status.parked > 0)) {
  console.log(
    'Parked events failed validation and were skipped; see the projector log or the projector-parked bucket.',
  )
}
if (statuses.some((status) => status.parkedWrites > 0)) {
  console.log(
    'Parked writes kept failing (e.g. a value over max_payload): those entries are behind the log. Fix the cause,\n' +
      'then `npm run rebuild`; the reasons are in the projector log and the projector-parked bucket.',
  )
}
if (statuses.some((status) => status.holder === undefined || expired(status))) {
  console.log('A projection nobody holds is not being folded: is a projector running?')
}
await nc.close()
