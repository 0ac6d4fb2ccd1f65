import { projectionStatus } from '../status.ts'
import { connectForCli } from './connect.ts'

/** `npm run projections`: where each projection stands against its stream. */
const { nc, jsm, generations } = await connectForCli()
const statuses = await projectionStatus(jsm, generations)
console.table(
  statuses.map((status) => ({
    projection: status.projection,
    generation: status.generation ?? '-',
    position: status.position,
    'stream last seq': status.streamSeq,
    lag: status.lag,
    'consumer pending': status.consumerPending ?? '-',
    'ack pending': status.ackPending ?? '-',
    parked: status.parked,
  })),
)
if (statuses.some((status) => status.parked > 0)) {
  console.log(
    'Parked events failed validation and were skipped; see the projector log or the projector-parked bucket.',
  )
}
await nc.close()
