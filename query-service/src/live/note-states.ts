import { type Folded, readSubject } from '@jetnotes/platform'
import {
  type NoteEvent,
  type NoteRecord,
  type NoteSnapshot,
  type NoteState,
  noteAggregate,
  noteSnapshotFormat,
  parseCommit,
  subjects,
} from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import { LRUCache } from 'lru-cache'
import type { ViewReader } from '../read-models/watched-bucket.ts'

/** Where a cold note's state can start from: a read-model record or a snapshot, each with its position. */
export type StartingPoints = { notes: () => ViewReader | undefined; snapshots: ViewReader | undefined }

/**
 * Note states as of the live stream's position, for working out who may see each change. The live stream
 * reads the log in order, so a cached state is exact for the next message of its note. A note that is not
 * cached is folded from the latest starting point before the message (the `notes` read model or a command-side
 * snapshot, whichever is newer but still before it), then from the log.
 */
export class NoteStates {
  readonly #cache: LRUCache<string, Folded<NoteState>>

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly start: StartingPoints,
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
    let { state, seq: from } = await this.#startingPoint(noteId, seq)
    for await (const commit of readSubject(this.jsm, noteAggregate.stream, subjects.note(noteId), from)) {
      if (commit.seq >= seq) break
      try {
        state = parseCommit(noteAggregate, commit.payload).reduce(noteAggregate.evolve, state)
      } catch {
        // An invalid message changes nothing (the projector parks it).
      }
      from = commit.seq
    }
    return state
  }

  /** Records the note's state after the message at `seq`. */
  remember(noteId: string, state: NoteState, seq: number): void {
    this.#cache.set(noteId, { state, seq })
  }

  async #startingPoint(noteId: string, seq: number): Promise<Folded<NoteState>> {
    const [record, snapshot] = await Promise.all([
      this.#read<NoteRecord>(this.start.notes(), noteId),
      this.#read<NoteSnapshot>(this.start.snapshots, noteId),
    ])
    const points: Folded<NoteState>[] = [{ state: null, seq: 0 }]
    if (record !== undefined) points.push({ state: record.note, seq: record.seq })
    if (snapshot?.format === noteSnapshotFormat) points.push({ state: snapshot.state, seq: snapshot.seq })
    return points
      .filter((point) => point.seq < seq)
      .reduce((best, point) => (point.seq > best.seq ? point : best))
  }

  async #read<T>(bucket: ViewReader | undefined, key: string): Promise<T | undefined> {
    try {
      const entry = await bucket?.get(key)
      return entry?.operation === 'PUT' ? entry.json<T>() : undefined
    } catch {
      return undefined
    }
  }
}
