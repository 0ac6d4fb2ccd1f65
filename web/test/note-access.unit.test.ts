import { describe, expect, it } from 'vitest'
import { accessOf } from '../app/logic/note-access.ts'

const note = {
  owner: 'ann',
  shares: [
    { userId: 'bob', permission: 'write' as const },
    { userId: 'cat', permission: 'read' as const },
  ],
}

describe('what the signed-in person may do with a note', () => {
  it('is everything for its owner, and what a share says for the others', () => {
    expect(accessOf(note, 'ann')).toBe('owner')
    expect(accessOf(note, 'bob')).toBe('write')
    expect(accessOf(note, 'cat')).toBe('read')
  })

  it('is nothing without a share (the note was unshared)', () => {
    expect(accessOf(note, 'dan')).toBeNull()
  })
})
