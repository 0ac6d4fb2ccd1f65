import { Generations } from '@jetnotes/projector'
import { projections } from '@jetnotes/schemas'
import type { LoadContext } from './load-context.ts'

export type WaitBounds = {
  /** Give up after this long, however fast the projector is going. */
  timeoutMs: number
  /** Give up when the projector's position has not moved for this long (a stalled projector never catches up). */
  stallMs?: number
}

/**
 * Waits until the notes projection's position is the NOTES stream's last sequence, printing progress every 5 s;
 * returns the seconds it took and the live generation. Throws, saying where the projector stopped, when it
 * stalls or runs out of time: the path then reports its rows failed with that reason.
 */
export const untilProjected = async (
  { js, jsm, logger, say }: LoadContext,
  label: string,
  { timeoutMs, stallMs = 30_000 }: WaitBounds,
) => {
  const generations = await Generations.open(js, jsm, 1, logger)
  const generation = await generations.ensureActive('notes')
  const started = performance.now()
  let seen = -1
  let movedAt = started
  let saidAt = started
  for (;;) {
    const [position, stream] = await Promise.all([
      generations.position('notes', generation),
      jsm.streams.info(projections.notes.stream),
    ])
    const seq = position?.seq ?? 0
    const last = stream.state.last_seq
    if (seq >= last) return { seconds: (performance.now() - started) / 1000, generation }
    const now = performance.now()
    if (seq !== seen) {
      seen = seq
      movedAt = now
    }
    if (now - movedAt > stallMs) {
      throw new Error(
        `the projector stalled at sequence ${seq} of ${last} (no progress for ${stallMs / 1000} s)`,
      )
    }
    if (now - started > timeoutMs) {
      throw new Error(`the projector reached only sequence ${seq} of ${last} in ${timeoutMs / 1000} s`)
    }
    if (now - saidAt >= 5_000) {
      say(`${label}: projected up to sequence ${seq} of ${last}`)
      saidAt = now
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
