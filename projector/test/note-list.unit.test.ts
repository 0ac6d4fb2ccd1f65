import { type NoteSummary, newestFirst } from '@jetnotes/schemas'
import { noteListsOf, seededRandom } from '@jetnotes/testing'
import { JetStreamApiError } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { describe, expect, it } from 'vitest'
import {
  applyToNoteList,
  type ListChange,
  type NoteListStore,
  noteListKeyOf,
  noteListWrites,
} from '../src/projections/notes/note-list.ts'
import { ViewStore } from '../src/view-store.ts'

const user = 'ann'

/** A user's list held in a map (keys as in the bucket), every write counted with its size. */
const memoryList = () => {
  const entries = new Map<string, unknown>()
  const writes: { key: string; items: number }[] = []
  const read = async <T>(key: string) => entries.get(key) as T | undefined
  const store: NoteListStore = {
    head: () => read(noteListKeyOf(user, 'head', '')),
    root: () => read(noteListKeyOf(user, 'root', '')),
    directoryPage: (id) => read(noteListKeyOf(user, 'directory-page', id)),
    page: (id) => read(noteListKeyOf(user, 'page', id)),
    write: (kind, id, value) => {
      const key = noteListKeyOf(user, kind, id)
      entries.set(key, structuredClone(value))
      const items = 'notes' in value ? value.notes.length : 'pages' in value ? value.pages.length : 0
      writes.push({ key, items })
    },
    delete: (kind, id) => {
      const key = noteListKeyOf(user, kind, id)
      entries.delete(key)
      writes.push({ key, items: 0 })
    },
  }
  return { store, entries, writes }
}

const summary = (id: string, createdAt: string, title: string): NoteSummary => ({
  id,
  title,
  tags: [],
  owner: user,
  access: 'owner',
  version: 1,
  createdAt,
  updatedAt: createdAt,
})

const change = (note: NoteSummary, visible = true): ListChange => ({
  noteId: note.id,
  position: [note.createdAt, note.id],
  summary: visible ? note : undefined,
})

/** Random changes to a list of `ids` notes: insert, edit, remove, with creation times that often tie. */
const randomChanges = (seed: number, count: number, ids: number) => {
  const random = seededRandom(seed)
  const createdAt = Array.from(
    { length: ids },
    () => `2026-01-0${1 + Math.floor(random() * 5)}T00:00:00.00${Math.floor(random() * 3)}Z`,
  )
  return Array.from({ length: count }, (_, step) => {
    const index = Math.floor(random() * ids)
    // Skewed towards the front (new notes) and towards visible, so lists grow long and then shrink.
    const visible = random() < (step < count / 2 ? 0.8 : 0.35)
    return change(summary(`n${index}`, createdAt[index] as string, `t${step}`), visible)
  })
}

describe('a paged note list', () => {
  for (const sizes of [
    { pageSize: 2, directorySize: 2 },
    { pageSize: 3, directorySize: 3 },
    { pageSize: 5, directorySize: 4 },
    { pageSize: 16, directorySize: 256 },
  ]) {
    it(`equals the visible notes sorted newest first after each of 3,000 changes (${JSON.stringify(sizes)})`, async () => {
      const { store, entries, writes } = memoryList()
      const visible = new Map<string, NoteSummary>()
      let most = 0
      let mostDirectoryPages = 0
      for (const [step, next] of randomChanges(sizes.pageSize, 3_000, 80).entries()) {
        const seq = step + 1
        const before = writes.length
        await applyToNoteList(store, next, seq, sizes)
        if (next.summary === undefined) visible.delete(next.noteId)
        else visible.set(next.noteId, next.summary)
        const { lists, problems } = noteListsOf(entries, sizes)
        expect(problems).toEqual([])
        expect(lists.get(user) ?? []).toEqual([...visible.values()].sort(newestFirst))
        // Bounded: a change writes a few entries (a split or merge on each level at most), none over its size.
        expect(writes.length - before).toBeLessThanOrEqual(12)
        for (const write of writes.slice(before)) {
          expect(write.items).toBeLessThanOrEqual(
            write.key.includes('.p.')
              ? sizes.pageSize
              : write.key.includes('.d.')
                ? sizes.directorySize
                : 1_000,
          )
        }
        most = Math.max(most, visible.size)
        mostDirectoryPages = Math.max(
          mostDirectoryPages,
          (entries.get(`${user}.dir`) as { pages: [] } | undefined)?.pages.length ?? 0,
        )
        // A replayed change (same position in the log) changes nothing.
        const replayed = writes.length
        await applyToNoteList(store, next, seq, sizes)
        expect(writes.length).toBe(replayed)
      }
      expect(most).toBeGreaterThan(sizes.pageSize * 4)
      if (sizes.directorySize < 10) expect(mostDirectoryPages).toBeGreaterThan(3)
    })
  }

  it('starts a new page when the newest note arrives at a full first page, so pages stay full', async () => {
    const { store, entries } = memoryList()
    const sizes = { pageSize: 4, directorySize: 3 }
    for (let index = 0; index < 40; index++) {
      const note = summary(`n${index}`, new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(), 'x')
      await applyToNoteList(store, change(note), index + 1, sizes)
    }
    const { lists, problems, pages } = noteListsOf(entries, sizes)
    expect(problems).toEqual([])
    expect(lists.get(user)).toHaveLength(40)
    expect(pages).toBe(10)
  })

  it('removes the last note and keeps an empty list readable', async () => {
    const { store, entries } = memoryList()
    const sizes = { pageSize: 4, directorySize: 4 }
    const note = summary('n1', '2026-01-01T00:00:00.000Z', 'x')
    await applyToNoteList(store, change(note), 1, sizes)
    await applyToNoteList(store, change(note, false), 2, sizes)
    expect(noteListsOf(entries, sizes).lists.get(user)).toEqual([])
  })
})

/** The connection a dying process loses: the flush stops there, as when the process is killed. */
class ClosedConnectionError extends Error {
  override name = 'ClosedConnectionError'
}

/**
 * A KV bucket held in a map that fails (like a dying process) after a number of writes. It keeps revisions and
 * refuses a write whose expected revision is not the entry's, as JetStream does, so the replay goes through the
 * projector's fenced writes.
 */
const fallibleBucket = (entries: Map<string, string>) => {
  let writesLeft = Number.POSITIVE_INFINITY
  let lastRevision = 0
  const revisions = new Map<string, number>()
  const write = (key: string, previousSeq: number | undefined, action: () => void) => {
    if (writesLeft-- <= 0) throw new ClosedConnectionError('the process died')
    if (previousSeq !== undefined && previousSeq !== (revisions.get(key) ?? 0))
      throw new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence' })
    action()
    revisions.set(key, ++lastRevision)
    return lastRevision
  }
  const bucket = {
    get: async (key: string) => {
      const revision = revisions.get(key)
      if (revision === undefined) return null
      const value = entries.get(key)
      return value === undefined
        ? { operation: 'DEL', revision }
        : { operation: 'PUT', revision, json: () => JSON.parse(value) as unknown, string: () => value }
    },
    put: async (key: string, value: string, options?: { previousSeq?: number }) =>
      write(key, options?.previousSeq, () => entries.set(key, value)),
    delete: async (key: string, options?: { previousSeq?: number }) => {
      write(key, options?.previousSeq || undefined, () => entries.delete(key))
    },
  }
  return { bucket: bucket as unknown as KV, crashAfter: (writes: number) => (writesLeft = writes) }
}

describe('a paged note list written in stages', () => {
  for (const [seed, sizes] of [
    [7, { pageSize: 3, directorySize: 2 }],
    [8, { pageSize: 3, directorySize: 4 }],
    [9, { pageSize: 2, directorySize: 3 }],
    [10, { pageSize: 4, directorySize: 2 }],
    [11, { pageSize: 2, directorySize: 2 }],
  ] as const) {
    it(`equals the fold whatever subset of a batch a crash leaves written, once the batch is replayed (${JSON.stringify(sizes)})`, async () => {
      const random = seededRandom(seed)
      const durable = new Map<string, string>()
      const { bucket, crashAfter } = fallibleBucket(durable)
      const changes = randomChanges(seed * 11, 1_500, 40)
      const visible = new Map<string, NoteSummary>()
      const storeOf = (views: ViewStore): NoteListStore => ({
        head: () => views.get('note-lists', noteListKeyOf(user, 'head', '')),
        root: () => views.get('note-lists', noteListKeyOf(user, 'root', '')),
        directoryPage: (id) => views.get('note-lists', noteListKeyOf(user, 'directory-page', id)),
        page: (id) => views.get('note-lists', noteListKeyOf(user, 'page', id)),
        write: (kind, id, value) =>
          views.set('note-lists', noteListKeyOf(user, kind, id), value, {
            stage: noteListWrites.indexOf(kind),
            creates: kind === 'new-page' || kind === 'new-directory-page',
          }),
        delete: (kind, id) => views.delete('note-lists', noteListKeyOf(user, kind, id)),
      })
      let crashes = 0
      for (let start = 0; start < changes.length; ) {
        const batch = changes.slice(start, start + 1 + Math.floor(random() * 8))
        // First attempt: the process dies after a random number of the batch's writes.
        const dying = new ViewStore({ 'note-lists': bucket })
        for (const [offset, next] of batch.entries())
          await applyToNoteList(storeOf(dying), next, start + offset + 1, sizes)
        crashAfter(Math.floor(random() * (dying.pendingWrites + 1)))
        const crashed = await dying.flush({ concurrency: 1 }).then(
          () => false,
          () => true,
        )
        crashAfter(Number.POSITIVE_INFINITY)
        if (crashed) {
          crashes++
          // The restarted process folds the unacknowledged batch again, from what the bucket holds.
          const replay = new ViewStore({ 'note-lists': bucket })
          for (const [offset, next] of batch.entries())
            await applyToNoteList(storeOf(replay), next, start + offset + 1, sizes)
          expect(await replay.flush()).toEqual([])
        }
        for (const next of batch) {
          if (next.summary === undefined) visible.delete(next.noteId)
          else visible.set(next.noteId, next.summary)
        }
        const parsed = new Map([...durable].map(([key, value]) => [key, JSON.parse(value) as unknown]))
        const { lists, problems } = noteListsOf(parsed, sizes)
        expect(problems).toEqual([])
        expect(lists.get(user) ?? []).toEqual([...visible.values()].sort(newestFirst))
        start += batch.length
      }
      expect(crashes).toBeGreaterThan(100)
    })
  }
})
