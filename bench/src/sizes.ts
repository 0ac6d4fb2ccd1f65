import type { Rounds } from './measure.ts'

/** How much each path does. `--quick` keeps every path but makes it tiny (CI runs it so nothing rots). */
export type Sizes = {
  rounds: Rounds
  /** Requests (or publishes) in flight on the throughput paths. */
  concurrency: number
  /** Events of the long note in "history growth", and PATCHes timed on each note. */
  longHistory: number
  historySamples: number
  /** Seconds of writes at half the measured create rate, for the projection lag. */
  lagSeconds: number
  /** Connected SSE clients, the users they belong to (every note is shared with all), and edits timed. */
  liveClients: number
  liveUsers: number
  liveEdits: number
}

export const fullSizes: Sizes = {
  rounds: { warmupMs: 1_500, roundMs: 3_000, rounds: 3 },
  concurrency: 64,
  longHistory: 10_000,
  historySamples: 300,
  lagSeconds: 5,
  liveClients: 1_000,
  liveUsers: 50,
  liveEdits: 100,
}

export const quickSizes: Sizes = {
  rounds: { warmupMs: 100, roundMs: 300, rounds: 1 },
  concurrency: 8,
  longHistory: 100,
  historySamples: 20,
  lagSeconds: 0.5,
  liveClients: 20,
  liveUsers: 4,
  liveEdits: 5,
}
