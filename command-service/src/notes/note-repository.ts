import {
  type Folded,
  foldSubject,
  type InvalidMessageReport,
  isAcceptedCommit,
  reportInvalidMessagesTo,
} from '@jetnotes/platform'
import { type NoteSnapshot, type NoteState, noteAggregate, noteSnapshotFormat } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { Repository } from '../commands/repository.ts'

/** A snapshot is written each time a note passes this many more events, so a cold load replays fewer. */
export const snapshotInterval = 50

/**
 * Note states for deciding commands. Hot notes come from an in-memory cache keyed by stream position (bounded
 * by size); a cold note starts from its latest snapshot and folds only the events after it. Loading therefore
 * costs the same for a note with 10 or 10,000 events. Snapshots are an optimisation: a missing or unreadable
 * one just means a longer replay, and the append's sequence check catches any stale state.
 */
export class NoteRepository implements Repository<NoteState> {
  readonly #cache: LRUCache<string, Folded<NoteState>>
  readonly #report: InvalidMessageReport

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly snapshots: KV,
    private readonly logger: Logger,
    cacheBytes = 64 * 1024 * 1024,
  ) {
    this.#report = reportInvalidMessagesTo(logger, 'note-repository')
    this.#cache = new LRUCache<string, Folded<NoteState>>({
      maxSize: cacheBytes,
      sizeCalculation: ({ state }) => 200 + (state === null ? 0 : state.title.length + state.body.length) * 2,
    })
  }

  async load(id: string): Promise<Folded<NoteState>> {
    return this.#cache.get(id) ?? this.refresh(id)
  }

  async refresh(id: string): Promise<Folded<NoteState>> {
    const start = this.#cache.get(id) ?? (await this.#readSnapshot(id))
    const folded = await foldSubject(this.jsm, noteAggregate, id, this.#report, start)
    this.#remember(id, folded, start?.state?.version ?? 0)
    return folded
  }

  isAccepted(id: string, seq: number): Promise<boolean> {
    return isAcceptedCommit(this.jsm, noteAggregate, id, seq, this.#report)
  }

  remember(id: string, folded: Folded<NoteState>): void {
    this.#remember(id, folded, this.#cache.get(id)?.state?.version ?? 0)
  }

  #remember(id: string, folded: Folded<NoteState>, previousVersion: number) {
    const known = this.#cache.get(id)
    if (folded.state === null || (known !== undefined && known.seq >= folded.seq)) return
    this.#cache.set(id, folded)
    if (
      Math.floor(folded.state.version / snapshotInterval) > Math.floor(previousVersion / snapshotInterval)
    ) {
      this.#writeSnapshot(id, folded)
    }
  }

  async #readSnapshot(id: string): Promise<Folded<NoteState> | undefined> {
    try {
      const entry = await this.snapshots.get(id)
      if (entry === null || entry.operation !== 'PUT') return undefined
      const snapshot = entry.json<NoteSnapshot>()
      return snapshot.format === noteSnapshotFormat ? { state: snapshot.state, seq: snapshot.seq } : undefined
    } catch (error) {
      this.logger.warn({ err: error, noteId: id }, 'note snapshot unreadable; replaying from the log')
      return undefined
    }
  }

  #writeSnapshot(id: string, { state, seq }: Folded<NoteState>) {
    if (state === null) return
    const snapshot: NoteSnapshot = { format: noteSnapshotFormat, state, seq }
    this.snapshots.put(id, JSON.stringify(snapshot)).catch((error: unknown) => {
      this.logger.warn({ err: error, noteId: id }, 'could not write a note snapshot')
    })
  }
}
