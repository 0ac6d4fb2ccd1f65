import { describe, expect, it } from 'vitest'
import { noteAggregate, userAggregate } from '../src/index.ts'

describe('schema versions', () => {
  it('are read off each event schema, for every event type', () => {
    expect(noteAggregate.schemaVersions).toEqual({
      NoteCreated: 2,
      NoteEdited: 1,
      NoteShared: 1,
      NoteUnshared: 1,
      NoteDeleted: 1,
    })
    expect(Object.keys(userAggregate.schemaVersions).sort()).toEqual([
      'UserDeactivated',
      'UserPasswordChanged',
      'UserRegistered',
      'UserRenamed',
      'UserSignedIn',
      'UserSignedOut',
      'UserTokenRotated',
    ])
  })
})
