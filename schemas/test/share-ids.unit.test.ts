import { describe, expect, it } from 'vitest'
import {
  accessOf,
  decideNote,
  evolveNote,
  ForbiddenError,
  initialNoteState,
  isSharedWith,
  type Note,
  type NoteCommand,
  type NoteEvent,
  NotFoundError,
  permissionOf,
  shareList,
  toNoteView,
  UnprocessableError,
} from '../src/index.ts'
import { deciderSpec, type Given, toEvent } from './decider-spec.ts'

// User ids are data: these are valid ids (`[A-Za-z0-9_-]`) that name what every plain object inherits.
const inheritedNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']

const given = deciderSpec<ReturnType<typeof evolveNote>, NoteCommand, NoteEvent>(
  { decide: decideNote, evolve: evolveNote, initialState: initialNoteState },
  'note-1',
)

const created: Given<NoteEvent> = {
  type: 'NoteCreated',
  data: { title: 'T', body: 'B', tags: [] },
  actor: 'ann',
}
const shared = (userId: string, permission: 'read' | 'write'): Given<NoteEvent> => ({
  type: 'NoteShared',
  data: { userId, permission },
  actor: 'ann',
})
const unshared = (userId: string): Given<NoteEvent> => ({
  type: 'NoteUnshared',
  data: { userId },
  actor: 'ann',
})
const share = (userId: string, permission: 'read' | 'write', shareeIsActiveUser: boolean): NoteCommand => ({
  type: 'ShareNote',
  actor: 'ann',
  share: { userId, permission },
  shareeIsActiveUser,
})
const unshare = (userId: string): NoteCommand => ({ type: 'UnshareNote', actor: 'ann', userId })
const edit = (actor: string): NoteCommand => ({ type: 'EditNote', actor, changes: { body: 'changed' } })

/** The note after the given events, as a snapshot or a read-model record brings it back: parsed from JSON. */
const throughJson = (note: Note | null): Note => JSON.parse(JSON.stringify(note)) as Note

describe.each(inheritedNames)('the user id %s', (userId) => {
  describe('when the note is shared with nobody', () => {
    it('has no access to the note', () => {
      const { state } = given(created)
      expect(accessOf(state, userId)).toBe('none')
      expect(accessOf(throughJson(state), userId)).toBe('none')
    })
    it('unsharing it appends nothing', () => {
      given(created).when(unshare(userId)).thenEmits([])
    })
    it('unsharing it from a note read back from JSON appends nothing', () => {
      const state = throughJson(given(created).state)
      expect(decideNote(state, unshare(userId))).toEqual([])
    })
    it('sharing with it is refused with 422 when no active user has that id', () => {
      given(created)
        .when(share(userId, 'read', false))
        .thenFails(UnprocessableError, 422)
    })
    it('editing as it is refused with 404, like any stranger', () => {
      given(created).when(edit(userId)).thenFails(NotFoundError, 404)
    })
  })

  describe('when it is a real user the note is shared with', () => {
    it('sharing emits NoteShared, and sharing again the same way emits nothing', () => {
      given(created)
        .when(share(userId, 'read', true))
        .thenEmits([{ type: 'NoteShared', data: { userId, permission: 'read' } }])
      given(created, shared(userId, 'read'))
        .when(share(userId, 'read', true))
        .thenEmits([])
    })
    it('a read share refuses an edit with 403 and a write share allows it', () => {
      given(created, shared(userId, 'read')).when(edit(userId)).thenFails(ForbiddenError, 403)
      given(created, shared(userId, 'write'))
        .when(edit(userId))
        .thenEmits([{ type: 'NoteEdited', data: { body: 'changed' } }])
    })
    it('unsharing emits NoteUnshared once, then nothing', () => {
      given(created, shared(userId, 'write'))
        .when(unshare(userId))
        .thenEmits([{ type: 'NoteUnshared', data: { userId } }])
      given(created, shared(userId, 'write'), unshared(userId)).when(unshare(userId)).thenEmits([])
    })
  })

  describe('folding', () => {
    it('keeps it as an own share, beside the others, without touching the prototype', () => {
      const { state } = given(created, shared('bob', 'read'), shared(userId, 'write'))
      const shares = state?.shares ?? {}
      expect(Object.getPrototypeOf(shares)).toBeNull()
      expect(Object.keys(shares)).toEqual(['bob', userId])
      expect(permissionOf(shares, userId)).toBe('write')
      expect(shareList(shares)).toEqual([
        { userId: 'bob', permission: 'read' },
        { userId, permission: 'write' },
      ])
    })
    it('survives JSON as it is written to snapshots and read models', () => {
      const note = throughJson(given(created, shared(userId, 'write')).state)
      expect(permissionOf(note.shares, userId)).toBe('write')
      expect(accessOf(note, userId)).toBe('write')
      expect(toNoteView(note).shares).toEqual([{ userId, permission: 'write' }])
    })
    it('removes only its share on unshare, and an unshare of nobody removes nothing', () => {
      const { state } = given(created, shared('bob', 'read'), shared(userId, 'write'), unshared(userId))
      expect(shareList(state?.shares ?? {})).toEqual([{ userId: 'bob', permission: 'read' }])
      expect(isSharedWith(state?.shares ?? {}, userId)).toBe(false)
      // An unshare of a user without a share, as an older log may hold: the shares stay as they were.
      const after = evolveNote(state, toEvent<NoteEvent>(unshared(userId), 'note-1', 5))
      expect(shareList(after?.shares ?? {})).toEqual([{ userId: 'bob', permission: 'read' }])
    })
  })
})
