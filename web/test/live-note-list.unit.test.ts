import { describe, expect, it } from 'vitest'
import type { NoteView } from '../app/api/types.ts'
import { applyLiveChange, type ShownPage, summaryOf } from '../app/logic/live-note-list.ts'
import { noFilter } from '../app/logic/note-list-filter.ts'

const me = 'u-me'
const other = 'u-other'

/** A note created at minute `minute` (later minutes are newer), owned by `owner`. */
const note = (id: string, minute: number, fields: Partial<NoteView> = {}): NoteView => {
  const time = new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString()
  return {
    id,
    title: `Note ${id}`,
    body: '',
    tags: [],
    owner: me,
    shares: [],
    version: 1,
    createdAt: time,
    createdBy: me,
    updatedAt: time,
    updatedBy: me,
    ...fields,
  }
}

const pageOf = (notes: NoteView[], shape: Partial<ShownPage> = {}): ShownPage => ({
  items: notes.map((n) => summaryOf(n, me)).filter((s) => s !== undefined),
  first: true,
  more: false,
  spilled: false,
  ...shape,
})

const context = { userId: me, filter: noFilter, pageSize: 3 }
const ids = (page: ShownPage) => page.items.map((item) => item.id)
const changeOf = (n: NoteView) => ({ noteId: n.id, version: n.version, note: n })

describe('a live change on the shown page of the note list', () => {
  const page = pageOf([note('c', 30), note('b', 20), note('a', 10)], { more: true })

  it('puts a created note at the top of the first page', () => {
    const next = applyLiveChange(page, changeOf(note('d', 40)), { ...context, pageSize: 10 })
    expect(ids(next)).toEqual(['d', 'c', 'b', 'a'])
    expect(next.spilled).toBe(false)
  })

  it('puts a note newly shared with me at the top, with my access', () => {
    const shared = note('d', 40, { owner: other, shares: [{ userId: me, permission: 'write' }], version: 2 })
    const next = applyLiveChange(page, changeOf(shared), { ...context, pageSize: 10 })
    expect(ids(next)).toEqual(['d', 'c', 'b', 'a'])
    expect(next.items[0]?.access).toBe('write')
    expect(next.items[0]?.owner).toBe(other)
  })

  it('keeps the page at its size, and marks that the next cursor would now skip the note pushed off', () => {
    const next = applyLiveChange(page, changeOf(note('d', 40)), context)
    expect(ids(next)).toEqual(['d', 'c', 'b'])
    expect(next.spilled).toBe(true)
    expect(next.more).toBe(true)
  })

  it('leaves out a created note that does not match the filter, and takes one that does', () => {
    const filtered = { ...context, filter: { q: 'shopping', tag: '' }, pageSize: 10 }
    expect(applyLiveChange(page, changeOf(note('d', 40, { title: 'Ideas' })), filtered)).toBe(page)
    const matching = note('e', 40, { title: 'Weekly SHOPPING list' })
    expect(ids(applyLiveChange(page, changeOf(matching), filtered))).toEqual(['e', 'c', 'b', 'a'])
  })

  it('filters created notes by tag too', () => {
    const byTag = { ...context, filter: { q: '', tag: 'work' }, pageSize: 10 }
    expect(applyLiveChange(page, changeOf(note('d', 40, { tags: ['home'] })), byTag)).toBe(page)
    expect(ids(applyLiveChange(page, changeOf(note('e', 40, { tags: ['work'] })), byTag))[0]).toBe('e')
  })

  it('updates an edited note in place (lists are ordered by creation, which an edit keeps)', () => {
    const edited = note('a', 10, { title: 'Renamed', version: 2, updatedAt: '2026-01-02T00:00:00.000Z' })
    const next = applyLiveChange(page, changeOf(edited), context)
    expect(ids(next)).toEqual(['c', 'b', 'a'])
    expect(next.items[2]).toMatchObject({
      title: 'Renamed',
      version: 2,
      updatedAt: '2026-01-02T00:00:00.000Z',
    })
  })

  it('removes a note whose change comes with no note (deleted, or my access removed)', () => {
    const next = applyLiveChange(page, { noteId: 'b', version: 2, note: null }, context)
    expect(ids(next)).toEqual(['c', 'a'])
  })

  it('removes a note when my share goes but the note stays', () => {
    const page = pageOf([note('b', 20, { owner: other, shares: [{ userId: me, permission: 'read' }] })])
    const unshared = note('b', 20, { owner: other, shares: [], version: 2 })
    expect(ids(applyLiveChange(page, changeOf(unshared), context))).toEqual([])
  })

  it('removes a note an edit takes out of the filter', () => {
    const filtered = { ...context, filter: { q: 'note', tag: '' } }
    const edited = note('b', 20, { title: 'Something else', version: 2 })
    expect(ids(applyLiveChange(page, changeOf(edited), filtered))).toEqual(['c', 'a'])
  })

  it('ignores a change to a note of another page', () => {
    const older = note('z', 5, { title: 'Old', version: 3 })
    expect(applyLiveChange(page, changeOf(older), context)).toBe(page)
    expect(applyLiveChange(page, { noteId: 'z', version: 4, note: null }, context)).toBe(page)
  })

  it('ignores a change to a note newer than a later page', () => {
    const later = pageOf([note('b', 20), note('a', 10)], { first: false, more: false })
    expect(applyLiveChange(later, changeOf(note('d', 40)), context)).toBe(later)
  })

  it('takes a note shared with me that falls inside a later page', () => {
    const later = pageOf([note('c', 30), note('a', 10)], { first: false, more: true })
    const shared = note('b', 20, { owner: other, shares: [{ userId: me, permission: 'read' }], version: 2 })
    expect(ids(applyLiveChange(later, changeOf(shared), context))).toEqual(['c', 'b', 'a'])
  })

  it('ignores a replayed change older than the version shown', () => {
    const shown = pageOf([note('a', 10, { version: 5 })])
    expect(applyLiveChange(shown, changeOf(note('a', 10, { version: 4, title: 'Stale' })), context)).toBe(
      shown,
    )
  })

  it('ignores a change to a note I cannot see', () => {
    const notMine = note('d', 40, { owner: other, shares: [{ userId: 'u-third', permission: 'read' }] })
    expect(applyLiveChange(page, changeOf(notMine), context)).toBe(page)
  })
})

describe('the summary of a note', () => {
  it('says owner for my own note and the shared permission for another', () => {
    expect(summaryOf(note('a', 1), me)?.access).toBe('owner')
    const shared = note('b', 1, { owner: other, shares: [{ userId: me, permission: 'read' }] })
    expect(summaryOf(shared, me)?.access).toBe('read')
    expect(summaryOf(shared, 'u-third')).toBeUndefined()
  })
})

describe('replaying recent changes onto a page the API answered a moment behind the stream', () => {
  const created = note('d', 40)
  const edited = note('d', 40, { title: 'Edited', version: 2 })
  const replay = (page: ShownPage, changes: { noteId: string; version: number; note: NoteView | null }[]) =>
    changes.reduce((shown, change) => applyLiveChange(shown, change, { ...context, pageSize: 10 }), page)

  it('brings a page that missed them up to date', () => {
    const next = replay(pageOf([note('a', 10)]), [changeOf(created), changeOf(edited)])
    expect(next.items.map((item) => [item.id, item.title])).toEqual([
      ['d', 'Edited'],
      ['a', 'Note a'],
    ])
  })

  it('changes nothing on a page that already holds them', () => {
    const page = pageOf([edited, note('a', 10)])
    expect(replay(page, [changeOf(created), changeOf(edited)])).toBe(page)
  })

  it('ends without a note created and deleted meanwhile', () => {
    const gone = { noteId: 'd', version: 3, note: null }
    expect(ids(replay(pageOf([created, note('a', 10)]), [changeOf(created), gone]))).toEqual(['a'])
    expect(ids(replay(pageOf([note('a', 10)]), [changeOf(created), gone]))).toEqual(['a'])
  })
})
