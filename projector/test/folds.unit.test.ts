import type { NoteEvent, NoteRecord, UserEvent } from '@jetnotes/schemas'
import { describe, expect, it } from 'vitest'
import { affectedUsers, evolveNoteRecord, summaryFor } from '../src/projections/notes/evolve.ts'
import { evolveUserRecord } from '../src/projections/users/evolve.ts'

type Data<Event extends { type: string; data: unknown }, Type> = Extract<Event, { type: Type }>['data']

/** An event as the log holds it, version n of its aggregate, at second n of the day. */
const event = <Event extends { type: string; data: unknown }>(
  aggregateId: string,
  version: number,
  actor: string,
  type: Event['type'],
  data: Data<Event, Event['type']>,
): Event =>
  ({
    id: `${aggregateId}-${version}`,
    type,
    schemaVersion: type === 'NoteCreated' ? 2 : 1,
    aggregateId,
    version,
    actor,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
    correlationId: `request-${version}`,
    data,
  }) as unknown as Event

const note = (version: number, type: NoteEvent['type'], data: object, actor = 'ann', id = 'n1') =>
  event<NoteEvent>(id, version, actor, type, data as never)

const created = note(1, 'NoteCreated', { title: 'T', body: 'B', tags: ['x'] })
const edited = note(2, 'NoteEdited', { body: 'B2' })
const shared = note(3, 'NoteShared', { userId: 'bob', permission: 'read' })
const unshared = note(4, 'NoteUnshared', { userId: 'bob' })
const deleted = note(5, 'NoteDeleted', {})

/** Folds messages (one event each here) at consecutive stream positions. */
const fold = (messages: [NoteEvent[], number][], start?: NoteRecord) =>
  messages.reduce<NoteRecord | undefined>(
    (record, [events, seq]) => evolveNoteRecord(record, events, seq),
    start,
  )

describe('the notes view', () => {
  it('reflects every event and records the position of the last one', () => {
    const record = fold([
      [[created], 10],
      [[edited], 11],
      [[shared], 12],
    ])
    expect(record).toMatchObject({
      seq: 12,
      note: { id: 'n1', title: 'T', body: 'B2', version: 3, shares: { bob: 'read' } },
    })
  })

  it('ignores a message it already reflects, or an older one (redelivery)', () => {
    const record = fold([
      [[created], 10],
      [[edited], 11],
    ])
    expect(evolveNoteRecord(record, [edited], 11)).toBe(record)
    expect(evolveNoteRecord(record, [created], 10)).toBe(record)
  })

  it('folds a message with several events as one step', () => {
    const record = fold([[[created, edited, shared], 7]])
    expect(record).toMatchObject({ seq: 7, note: { version: 3, body: 'B2' } })
  })

  it('refuses a commit that does not carry the next version: same note, its position taken', () => {
    const record = fold([
      [[created], 10],
      [[edited], 11],
    ])
    const repeated = note(2, 'NoteEdited', { title: 'lost the race' })
    const refused = evolveNoteRecord(record, [repeated], 12)
    expect(refused).toEqual({ note: record?.note, seq: 12 })
    expect(refused?.note).toBe(record?.note)
    expect(evolveNoteRecord(undefined, [edited], 3)).toBeUndefined()
    expect(fold([[[shared], 13]], refused)?.note).toMatchObject({ version: 3, title: 'T' })
  })

  it('keeps a deleted note, marked deleted, so a redelivery cannot bring it back', () => {
    const record = fold([
      [[created], 1],
      [[{ ...deleted, version: 2 }], 2],
    ])
    expect(record?.note.deleted).toBe(true)
    expect(evolveNoteRecord(record, [created], 1)).toBe(record)
  })
})

describe('the note lists a message changes', () => {
  /** The events one per message, renumbered as the note's consecutive versions. */
  const at = (events: NoteEvent[]) =>
    fold(events.map((e, i) => [[{ ...e, version: i + 1 }], i + 1] as [NoteEvent[], number]))

  it('are the owner and every user it is shared with, each with their access', () => {
    const record = at([created, shared])
    if (record === undefined) throw new Error('no record')
    expect(affectedUsers(record.note, [shared]).sort()).toEqual(['ann', 'bob'])
    expect(summaryFor(record.note, 'bob')).toMatchObject({ id: 'n1', access: 'read' })
    expect(summaryFor(record.note, 'ann')).toMatchObject({ id: 'n1', access: 'owner' })
  })

  it('include the user it is unshared from, who no longer sees it', () => {
    const record = at([created, shared, unshared])
    if (record === undefined) throw new Error('no record')
    expect(affectedUsers(record.note, [unshared])).toContain('bob')
    expect(summaryFor(record.note, 'bob')).toBeUndefined()
  })

  it('show it to nobody once it is deleted', () => {
    const record = at([created, shared, deleted])
    if (record === undefined) throw new Error('no record')
    expect(summaryFor(record.note, 'ann')).toBeUndefined()
    expect(summaryFor(record.note, 'bob')).toBeUndefined()
  })
})

describe('the users view', () => {
  const user = (version: number, type: UserEvent['type'], data: object) =>
    event<UserEvent>('u1', version, 'u1', type, data as never)
  const registered = user(1, 'UserRegistered', {
    name: 'Ann',
    email: 'ann@example.com',
    tokenHash: 'h',
  })

  it('keeps public facts only: name and whether active', () => {
    const record = evolveUserRecord(undefined, [registered], 1)
    expect(record).toEqual({ id: 'u1', name: 'Ann', active: true, version: 1, seq: 1 })
    const renamed = evolveUserRecord(record, [user(2, 'UserRenamed', { name: 'Anna' })], 2)
    const gone = evolveUserRecord(renamed, [user(3, 'UserDeactivated', {})], 3)
    expect(gone).toEqual({ id: 'u1', name: 'Anna', active: false, version: 3, seq: 3 })
  })

  it('shows nothing of passwords and sessions: only the version moves (the view keeps its shape)', () => {
    const withPassword = evolveUserRecord(
      undefined,
      [registered, user(2, 'UserPasswordChanged', { credentialId: 'c'.repeat(32) })],
      1,
    )
    const signedIn = evolveUserRecord(
      withPassword,
      [user(3, 'UserSignedIn', { sessionId: 'e'.repeat(32), tokenHash: 'f'.repeat(64) })],
      2,
    )
    const signedOut = evolveUserRecord(signedIn, [user(4, 'UserSignedOut', { sessionId: 'e'.repeat(32) })], 3)
    expect(signedOut).toEqual({ id: 'u1', name: 'Ann', active: true, version: 4, seq: 3 })
  })

  it('refuses a commit that does not carry the next version', () => {
    const record = evolveUserRecord(undefined, [registered], 1)
    const refused = evolveUserRecord(record, [user(1, 'UserRenamed', { name: 'Eve' })], 2)
    expect(refused).toEqual({ id: 'u1', name: 'Ann', active: true, version: 1, seq: 2 })
  })

  it('ignores a message it already reflects', () => {
    const record = evolveUserRecord(undefined, [registered], 5)
    expect(evolveUserRecord(record, [user(2, 'UserRenamed', { name: 'Old' })], 5)).toBe(record)
    expect(evolveUserRecord(record, [user(2, 'UserRenamed', { name: 'Old' })], 4)).toBe(record)
  })
})
