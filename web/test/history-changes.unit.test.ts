import { describe, expect, it } from 'vitest'
import { canOpenVersion, describeChange, entryKind } from '../app/logic/history-changes.ts'

describe('a history entry shaped for reading', () => {
  it('shows a title change as before and after', () => {
    expect(describeChange({ field: 'title', before: 'Old', after: 'New' })).toEqual({
      kind: 'text',
      label: 'Title',
      before: 'Old',
      after: 'New',
    })
  })

  it("shows tags as a list and a new note's fields as having no before", () => {
    expect(describeChange({ field: 'tags', before: null, after: ['home', 'food'] })).toEqual({
      kind: 'text',
      label: 'Tags',
      before: null,
      after: 'home, food',
    })
  })

  it('shows the body as a diff', () => {
    expect(describeChange({ field: 'body', before: 'milk', after: 'milk and eggs' })).toMatchObject({
      kind: 'body',
      parts: [
        { kind: 'same', text: 'milk' },
        { kind: 'added', text: ' and eggs' },
      ],
    })
  })

  it('shows a share by user and access in words', () => {
    expect(describeChange({ field: 'shares.u-2', before: null, after: 'write' })).toEqual({
      kind: 'share',
      userId: 'u-2',
      before: null,
      after: 'Can edit',
    })
  })

  it('names the kind of change, and lets only accepted, undeleted versions be opened', () => {
    expect(entryKind('NoteEdited')).toBe('Edited')
    expect(canOpenVersion({ refused: false, type: 'NoteEdited' })).toBe(true)
    expect(canOpenVersion({ refused: true, type: 'NoteEdited' })).toBe(false)
    expect(canOpenVersion({ refused: false, type: 'NoteDeleted' })).toBe(false)
  })
})
