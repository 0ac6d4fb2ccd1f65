import type { NoteEvent } from '@jetnotes/schemas'
import { describe, expect, it } from 'vitest'
import { checkAckedWrites, checkLiveDeliveries, noteHistoryOf } from '../src/soak/checks.ts'
import type { AckedWrite } from '../src/soak/ledger.ts'
import type { ReceivedEvent } from '../src/soak/live-clients.ts'

const envelope = (version: number, actor = 'ann') => ({
  id: `event-${version}`,
  aggregateId: 'note-1',
  version,
  actor,
  time: '2026-01-01T00:00:00.000Z',
  correlationId: 'request',
})
// Ann creates a note (seq 1), shares it with Bob (seq 2), edits it (seq 3), unshares it (seq 4).
const history = noteHistoryOf([
  {
    seq: 1,
    events: [
      { type: 'NoteCreated', schemaVersion: 2, ...envelope(1), data: { title: 'T', body: 'B', tags: [] } },
    ],
  },
  {
    seq: 2,
    events: [
      { type: 'NoteShared', schemaVersion: 1, ...envelope(2), data: { userId: 'bob', permission: 'read' } },
    ],
  },
  { seq: 3, events: [{ type: 'NoteEdited', schemaVersion: 1, ...envelope(3), data: { body: 'B2' } }] },
  { seq: 4, events: [{ type: 'NoteUnshared', schemaVersion: 1, ...envelope(4), data: { userId: 'bob' } }] },
] satisfies { seq: number; events: NoteEvent[] }[])

const received = (id: string, version: number, withNote = true): ReceivedEvent => ({
  id,
  type: 'any',
  noteId: 'note-1',
  version,
  withNote,
})
const client = (userId: string, messages: ReceivedEvent[]) => ({
  userId,
  client: 0,
  received: messages,
  since: { seq: 0 },
})

describe('the acked-writes check', () => {
  const acked: AckedWrite[] = [
    { kind: 'register', userId: 'ann' },
    { kind: 'create', noteId: 'note-1', actor: 'ann', version: 1 },
    {
      kind: 'share',
      noteId: 'note-1',
      actor: 'ann',
      ifMatch: 1,
      version: 2,
      userId: 'bob',
      permission: 'read',
    },
    { kind: 'edit', noteId: 'note-1', actor: 'ann', ifMatch: 2, version: 3, body: 'B2' },
    { kind: 'unshare', noteId: 'note-1', actor: 'ann', ifMatch: 3, userId: 'bob' },
    // An unshare of someone the note was not shared with changes nothing: acknowledged, nothing logged.
    { kind: 'unshare', noteId: 'note-1', actor: 'ann', ifMatch: 4, userId: 'carol' },
  ]

  it('passes when the log holds every acknowledged write', () => {
    expect(checkAckedWrites(acked, history, new Set(['ann']))).toEqual({ checked: 6, failures: [] })
  })

  it('reports a write the log does not hold, and a user it never registered', () => {
    const lost: AckedWrite[] = [
      ...acked,
      { kind: 'edit', noteId: 'note-1', actor: 'ann', ifMatch: 3, version: 4, body: 'lost' },
      { kind: 'delete', noteId: 'note-1', actor: 'ann', ifMatch: 4 },
      { kind: 'create', noteId: 'note-2', actor: 'ann', version: 1 },
    ]
    const { failures } = checkAckedWrites(lost, history, new Set())
    expect(failures).toEqual([
      'register ann: not in the USERS log',
      'edit note-1: no NoteEdited of this body at version 4',
      'delete note-1: no NoteDeleted at version 5',
      'create note-2: no NoteCreated at version 1',
    ])
  })
})

describe('the live checks', () => {
  // Ann sees all four; Bob sees the share (with the note), the edit, and the unshare (without it).
  const complete = [
    client('ann', [received('1', 1), received('2', 2), received('3', 3), received('4', 4)]),
    client('bob', [received('2', 2), received('3', 3), received('4', 4, false)]),
  ]

  it('pass when each client received what it may see, exactly once', () => {
    const { exactlyOnce, nothingForbidden } = checkLiveDeliveries(complete, history)
    expect(exactlyOnce).toEqual({ checked: 7, failures: [] })
    expect(nothingForbidden).toEqual({ checked: 7, failures: [] })
  })

  it('report a change received twice, and one never received', () => {
    const { exactlyOnce } = checkLiveDeliveries(
      [client('ann', [received('1', 1), received('2', 2), received('2', 2), received('4', 4)])],
      history,
    )
    expect(exactlyOnce.failures).toEqual([
      'client 0 (user ann) received 2 2 times',
      'client 0 (user ann) never received 3 (NoteEdited)',
    ])
  })

  it('report a change that reached a user outside its audience, and a note shown after it was lost', () => {
    const { nothingForbidden } = checkLiveDeliveries(
      [client('bob', [received('1', 1), received('2', 2), received('3', 3), received('4', 4, true)])],
      history,
    )
    expect(nothingForbidden.failures).toEqual([
      'client 0 (user bob) received 1 (any of note-1), not in its audience',
      'client 0 (user bob) received the note with 4, after it lost sight of it',
    ])
  })

  it('owe a client that had to start afresh only what follows its first message', () => {
    const late = { ...client('ann', [received('3', 3), received('4', 4)]), since: 'first-received' as const }
    expect(checkLiveDeliveries([late], history).exactlyOnce.failures).toEqual([])
  })
})
