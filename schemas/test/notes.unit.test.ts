import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  decideNote,
  evolveNote,
  ForbiddenError,
  initialNoteState,
  type NoteCommand,
  type NoteEvent,
  NotFoundError,
  UnprocessableError,
  VersionConflictError,
} from '../src/index.ts'
import { deciderSpec, type Given } from './decider-spec.ts'

const given = deciderSpec<ReturnType<typeof evolveNote>, NoteCommand, NoteEvent>(
  { decide: decideNote, evolve: evolveNote, initialState: initialNoteState },
  'note-1',
)

const created: Given<NoteEvent> = {
  type: 'NoteCreated',
  data: { title: 'T', body: 'B', tags: ['a'] },
  actor: 'ann',
}
const sharedReadWithBob: Given<NoteEvent> = {
  type: 'NoteShared',
  data: { userId: 'bob', permission: 'read' },
  actor: 'ann',
}
const sharedWriteWithBob: Given<NoteEvent> = {
  type: 'NoteShared',
  data: { userId: 'bob', permission: 'write' },
  actor: 'ann',
}
const deleted: Given<NoteEvent> = { type: 'NoteDeleted', data: {}, actor: 'ann' }

describe('creating a note', () => {
  it('emits NoteCreated for a new id', () => {
    given()
      .when({ type: 'CreateNote', actor: 'ann', title: 'T', body: 'B', tags: [] })
      .thenEmits([{ type: 'NoteCreated', data: { title: 'T', body: 'B', tags: [] } }])
  })
  it('refuses an id that is taken', () => {
    given(created)
      .when({ type: 'CreateNote', actor: 'ann', title: 'T', body: 'B', tags: [] })
      .thenFails(ConflictError, 409)
  })
})

describe('editing a note', () => {
  it('emits only the fields that changed', () => {
    given(created)
      .when({ type: 'EditNote', actor: 'ann', changes: { title: 'T', body: 'new', tags: ['a'] } })
      .thenEmits([{ type: 'NoteEdited', data: { body: 'new' } }])
  })
  it('emits nothing when nothing changed', () => {
    given(created)
      .when({ type: 'EditNote', actor: 'ann', changes: { title: 'T' } })
      .thenEmits([])
  })
  it('accepts the current version', () => {
    given(created)
      .when({ type: 'EditNote', actor: 'ann', expectedVersion: 1, changes: { title: 'U' } })
      .thenEmits([{ type: 'NoteEdited', data: { title: 'U' } }])
  })
  it('rejects a stale version with 412', () => {
    given(created, { type: 'NoteEdited', data: { title: 'U' }, actor: 'ann' })
      .when({ type: 'EditNote', actor: 'ann', expectedVersion: 1, changes: { title: 'V' } })
      .thenFails(VersionConflictError, 412)
  })
  it('lets a user with a write share edit', () => {
    given(created, sharedWriteWithBob)
      .when({ type: 'EditNote', actor: 'bob', changes: { body: 'bob was here' } })
      .thenEmits([{ type: 'NoteEdited', data: { body: 'bob was here' } }])
  })
  it('rejects an edit through a read-only share with 403, even with a stale version', () => {
    given(created, sharedReadWithBob)
      .when({ type: 'EditNote', actor: 'bob', expectedVersion: 1, changes: { body: 'x' } })
      .thenFails(ForbiddenError, 403)
  })
  it('hides the note from a user it is not shared with (404)', () => {
    given(created)
      .when({ type: 'EditNote', actor: 'eve', changes: { body: 'x' } })
      .thenFails(NotFoundError, 404)
  })
  it('treats a deleted note as absent', () => {
    given(created, deleted)
      .when({ type: 'EditNote', actor: 'ann', changes: { body: 'x' } })
      .thenFails(NotFoundError, 404)
  })
  it('treats a note that never existed as absent', () => {
    given()
      .when({ type: 'EditNote', actor: 'ann', changes: { body: 'x' } })
      .thenFails(NotFoundError, 404)
  })
})

describe('sharing a note', () => {
  const share = (userId: string, permission: 'read' | 'write', shareeIsActiveUser = true): NoteCommand => ({
    type: 'ShareNote',
    actor: 'ann',
    share: { userId, permission },
    shareeIsActiveUser,
  })
  it('emits NoteShared', () => {
    given(created)
      .when(share('bob', 'read'))
      .thenEmits([{ type: 'NoteShared', data: { userId: 'bob', permission: 'read' } }])
  })
  it('emits NoteShared again when the permission changes', () => {
    given(created, sharedReadWithBob)
      .when(share('bob', 'write'))
      .thenEmits([{ type: 'NoteShared', data: { userId: 'bob', permission: 'write' } }])
  })
  it('emits nothing when the share is already as asked', () => {
    given(created, sharedReadWithBob).when(share('bob', 'read')).thenEmits([])
  })
  it('refuses to share with the owner', () => {
    given(created).when(share('ann', 'read')).thenFails(UnprocessableError, 422)
  })
  it('refuses to share with a user that is not active', () => {
    given(created)
      .when(share('ghost', 'read', false))
      .thenFails(UnprocessableError, 422)
  })
  it('lets only the owner share (403 for a writer)', () => {
    given(created, sharedWriteWithBob)
      .when({
        type: 'ShareNote',
        actor: 'bob',
        share: { userId: 'carl', permission: 'read' },
        shareeIsActiveUser: true,
      })
      .thenFails(ForbiddenError, 403)
  })
})

describe('unsharing and deleting', () => {
  it('emits NoteUnshared for a shared user', () => {
    given(created, sharedReadWithBob)
      .when({ type: 'UnshareNote', actor: 'ann', userId: 'bob' })
      .thenEmits([{ type: 'NoteUnshared', data: { userId: 'bob' } }])
  })
  it('emits nothing when the user had no share', () => {
    given(created).when({ type: 'UnshareNote', actor: 'ann', userId: 'bob' }).thenEmits([])
  })
  it('lets only the owner delete', () => {
    given(created, sharedWriteWithBob)
      .when({ type: 'DeleteNote', actor: 'bob' })
      .thenFails(ForbiddenError, 403)
    given(created)
      .when({ type: 'DeleteNote', actor: 'ann' })
      .thenEmits([{ type: 'NoteDeleted', data: {} }])
  })
})

describe('folding note events', () => {
  it('tracks content, shares, version and who changed it last', () => {
    const { state } = given(
      created,
      sharedWriteWithBob,
      { type: 'NoteEdited', data: { tags: ['x', 'y'] }, actor: 'bob' },
      { type: 'NoteShared', data: { userId: 'carl', permission: 'read' }, actor: 'ann' },
      { type: 'NoteUnshared', data: { userId: 'bob' }, actor: 'ann' },
    )
    expect(state).toMatchObject({
      id: 'note-1',
      owner: 'ann',
      title: 'T',
      body: 'B',
      tags: ['x', 'y'],
      shares: { carl: 'read' },
      version: 5,
      deleted: false,
      createdBy: 'ann',
      updatedBy: 'ann',
    })
  })
  it('marks a deleted note', () => {
    expect(given(created, deleted).state).toMatchObject({ deleted: true, version: 2 })
  })
})
