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
  /** Notes of the owner whose list is timed at scale, and of the owner it is compared with. */
  scaleNotes: number
  scaleReferenceNotes: number
  /** Edits timed per owner and per note (its newest, its oldest) on "list update at scale". */
  scaleEdits: number
  /** Notes of the one user who must still be able to work ("200,000-note user"). */
  bigUserNotes: number
  /** Seconds, and most notes, one user creates as fast as it can while another user's lag is timed. */
  bystanderSeconds: number
  bystanderMaxNotes: number
  /** Raw publishes in flight while seeding notes straight into NOTES. */
  seedInFlight: number
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
  scaleNotes: 100_000,
  scaleReferenceNotes: 100,
  scaleEdits: 100,
  bigUserNotes: 200_000,
  bystanderSeconds: 10,
  // Below what one note list held before it was paged (about 37,000 notes), so this path measures lag only.
  bystanderMaxNotes: 20_000,
  seedInFlight: 256,
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
  scaleNotes: 1_000,
  scaleReferenceNotes: 100,
  scaleEdits: 10,
  bigUserNotes: 2_000,
  bystanderSeconds: 1,
  bystanderMaxNotes: 1_000,
  seedInFlight: 64,
}
