import {
  consumerName,
  metaKeys,
  type ProjectionLease,
  type ProjectionName,
  parkedKeys,
  projectionNames,
  projections,
} from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { Generations } from './generations.ts'

export type ProjectionStatus = {
  projection: ProjectionName
  /** The projector process folding it (its lease), and until when its lease runs unrenewed (its clock). */
  holder: string | undefined
  heldSince: string | undefined
  leaseExpiresAt: string | undefined
  generation: number | undefined
  /** Every event up to here is in the read models. */
  position: number
  /** The stream's last sequence now. */
  streamSeq: number
  lag: number
  /** How old the first event the projection does not hold yet is, in seconds (0 when it holds them all). */
  lagSeconds: number
  /** Messages the consumer has not delivered yet, and delivered but not acknowledged. */
  consumerPending: number | undefined
  ackPending: number | undefined
  /** Messages the consumer delivered more than once and that are not acknowledged yet. */
  redelivered: number | undefined
  /** Events parked because they failed validation. */
  parked: number
  /** Read-model entries whose writes kept failing (too large, refused): they are behind the log. */
  parkedWrites: number
}

/** Where each projection stands against its stream. */
export const projectionStatus = async (
  jsm: JetStreamManager,
  generations: Generations,
): Promise<ProjectionStatus[]> =>
  Promise.all(
    projectionNames.map(async (projection) => {
      const { stream } = projections[projection]
      const generation = await generations.active(projection)
      const [lease, position, info, consumer, parkedAll, parkedWrites] = await Promise.all([
        generations.meta.get(metaKeys.lease(projection)),
        generation === undefined ? undefined : generations.position(projection, generation),
        jsm.streams.info(stream),
        generation === undefined
          ? undefined
          : jsm.consumers.info(stream, consumerName(projection, generation)).catch(() => undefined),
        countKeys(generations, parkedKeys.allOf(projection)),
        countKeys(generations, parkedKeys.writesOf(projection)),
      ])
      const seq = position?.seq ?? 0
      const lag = Math.max(0, info.state.last_seq - seq)
      const held = lease?.operation === 'PUT' ? lease.json<ProjectionLease>() : undefined
      return {
        projection,
        holder: held?.holder,
        heldSince: held?.since,
        leaseExpiresAt: held?.expiresAt,
        generation,
        position: seq,
        streamSeq: info.state.last_seq,
        lag,
        lagSeconds: lag === 0 ? 0 : await ageOfEventAfter(jsm, stream, seq),
        consumerPending: consumer?.num_pending,
        ackPending: consumer?.num_ack_pending,
        redelivered: consumer?.num_redelivered,
        parked: parkedAll - parkedWrites,
        parkedWrites,
      }
    }),
  )

/** Seconds since the first event of the stream after `seq` was appended (0 if there is none). */
const ageOfEventAfter = async (jsm: JetStreamManager, stream: string, seq: number) => {
  const next = await jsm.direct.getMessage(stream, { seq: seq + 1, next_by_subj: '>' })
  return next === null ? 0 : Math.max(0, (Date.now() - next.time.getTime()) / 1000)
}

const countKeys = async (generations: Generations, filter: string) => {
  let count = 0
  for await (const _key of await generations.parked.keys(filter)) count++
  return count
}
