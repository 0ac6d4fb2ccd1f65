import {
  acceptedEvents,
  eventsOf,
  type Folded,
  type InvalidMessageReport,
  readSubject,
} from '@jetnotes/platform'
import { type NoteEvent, type NoteRecord, type NoteState, noteAggregate, subjects } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import { LRUCache } from 'lru-cache'
import type { ViewReader } from '../read-models/watched-bucket.ts'

/**
 * Note states as of the live stream's position, for working out who may see each change. The live stream
 * reads the log in order, so a cached state is exact for the next message of its note. A note that is not
 * cached is folded from the log, starting from its `notes` read-model record when that is still before the
 * message (the read side stands on its own read models and the log, not on the command side's snapshots).
 */
export class NoteStates {
  readonly #cache: LRUCache<string, Folded<NoteState>>

  constructor(
    private readonly jsm: JetStreamManager,
    /** The live generation of the `notes` read model (it changes with a rebuild), if there is one. */
    private readonly notes: () => ViewReader | undefined,
    private readonly report: InvalidMessageReport,
    cacheBytes = 64 * 1024 * 1024,
  ) {
    this.#cache = new LRUCache({
      maxSize: cacheBytes,
      sizeCalculation: ({ state }) => 200 + (state === null ? 0 : state.title.length + state.body.length) * 2,
    })
  }

  /** The note's state just before the message at `seq`, which carries `events`. */
  async before(noteId: string, seq: number, events: readonly NoteEvent[]): Promise<NoteState> {
    // A commit that creates the note opens its subject (the command-service appends it expecting no earlier
    // message): nothing comes before it, so no round trip is needed. Most messages of a busy system are these.
    if (events[0]?.type === 'NoteCreated') return null
    const cached = this.#cache.get(noteId)
    if (cached !== undefined && cached.seq < seq) return cached.state
    const start = await this.#startingPoint(noteId, seq)
    const subject = subjects.note(noteId)
    let state = start.state
    for await (const commit of readSubject(this.jsm, noteAggregate.stream, subject, start.seq)) {
      if (commit.seq >= seq) break
      state = acceptedEvents(state, eventsOf(noteAggregate, commit, this.report)).reduce(
        noteAggregate.evolve,
        state,
      )
    }
    return state
  }

  /** Records the note's state after the message at `seq`. */
  remember(noteId: string, state: NoteState, seq: number): void {
    this.#cache.set(noteId, { state, seq })
  }

  /** The `notes` record if it reflects a position before `seq`, else the beginning of the note's subject. */
  async #startingPoint(noteId: string, seq: number): Promise<Folded<NoteState>> {
    const record = await this.#readRecord(noteId)
    return record !== undefined && record.seq < seq
      ? { state: record.note, seq: record.seq }
      : { state: null, seq: 0 }
  }

  async #readRecord(noteId: string): Promise<NoteRecord | undefined> {
    try {
      const entry = await this.notes()?.get(noteId)
      return entry?.operation === 'PUT' ? entry.json<NoteRecord>() : undefined
    } catch {
      // A starting point is an optimisation: without one, the note is folded from its first message.
      return undefined
    }
  }
}
