import type { Rounds } from './measure.ts'

/** How one fan-out row is run. */
export type FanOut = {
  clients: number
  /** Users the clients are spread over (the note is shared with all of them). */
  users: number
  edits: number
  editsPerSecond: number
  /** Also report the query-service's memory with these clients idle (the cost of one connection). */
  measureMemory: boolean
}

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
  /**
   * The live fan-out rows: connected SSE clients, the users they belong to (the note is shared with all), edits
   * timed and their pace; the largest also measures the query-service's memory per idle connection.
   */
  liveFanOuts: FanOut[]
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
  liveFanOuts: [
    // 20 edits/s keeps the run short and the hub busy (edits a human pace apart would be easier).
    { clients: 1_000, users: 50, edits: 100, editsPerSecond: 20, measureMemory: false },
    { clients: 10_000, users: 50, edits: 40, editsPerSecond: 2, measureMemory: true },
  ],
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
  liveFanOuts: [
    { clients: 20, users: 4, edits: 5, editsPerSecond: 20, measureMemory: false },
    { clients: 50, users: 4, edits: 4, editsPerSecond: 2, measureMemory: true },
  ],
  scaleNotes: 1_000,
  scaleReferenceNotes: 100,
  scaleEdits: 10,
  bigUserNotes: 2_000,
  bystanderSeconds: 1,
  bystanderMaxNotes: 1_000,
  seedInFlight: 64,
}
