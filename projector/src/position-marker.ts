import { type PositionMarker, type ProjectionName, positionMarkerKey } from '@jetnotes/schemas'
import { ForwardOnly } from './forward-only.ts'
import type { Generations } from './generations.ts'

/** Each generation's buckets, opened once per `Generations` (opening one costs a round trip). */
const opened = new WeakMap<Generations, Map<string, Promise<ForwardOnly[]>>>()

/**
 * Puts the position marker into every read-model bucket of a generation. Called once a batch's entries are
 * written: a reader that follows a bucket in order, as the query-service's
 * caches do, then knows it holds everything up to `seq`. Every bucket of the projection gets it, written to by
 * the batch or not, so each reader's position moves on.
 */
export const markPosition = async (
  generations: Generations,
  projection: ProjectionName,
  generation: number,
  seq: number,
): Promise<void> => {
  const buckets = await bucketsOf(generations, projection, generation)
  const marker = { seq, at: new Date().toISOString() } satisfies PositionMarker
  await Promise.all(buckets.map((bucket) => bucket.advance(positionMarkerKey, marker)))
}

const bucketsOf = (generations: Generations, projection: ProjectionName, generation: number) => {
  let byGeneration = opened.get(generations)
  if (byGeneration === undefined) {
    byGeneration = new Map()
    opened.set(generations, byGeneration)
  }
  const id = `${projection}.g${generation}`
  let buckets = byGeneration.get(id)
  if (buckets === undefined) {
    buckets = generations
      .openBuckets(projection, generation)
      .then((opened) => Object.values(opened).map((bucket) => new ForwardOnly(bucket)))
    byGeneration.set(id, buckets)
    // A failed open is tried again by the next batch.
    buckets.catch(() => byGeneration.delete(id))
  }
  return buckets
}
