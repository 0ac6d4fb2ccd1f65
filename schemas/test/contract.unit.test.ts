import { describe, expect, it } from 'vitest'
import {
  CreateNoteBody,
  decodeConsistencyToken,
  EditNoteBody,
  encodeConsistencyToken,
  isValidId,
  subjects,
} from '../src/index.ts'

describe('ids', () => {
  it.each(['a.b', '*', '>', 'a b', '', 'x'.repeat(65), '%2E', 'ä', 'a\nb'])(
    'rejects %j, which could escape its subject',
    (id) => {
      expect(isValidId(id)).toBe(false)
    },
  )
  it.each(['abc', 'A_b-9', 'x'.repeat(64)])('accepts %j', (id) => {
    expect(isValidId(id)).toBe(true)
    expect(subjects.note(id)).toBe(`notes.${id}`)
  })
})

describe('consistency tokens', () => {
  it('round-trip a log position and stay opaque', () => {
    const token = encodeConsistencyToken({ stream: 'NOTES', seq: 12345 })
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeConsistencyToken(token)).toEqual({ stream: 'NOTES', seq: 12345 })
  })
  it.each(['', 'garbage!', btoa('OTHER:1'), btoa('NOTES:0'), btoa('NOTES:-1'), btoa('NOTES:')])(
    'reject the malformed token %j',
    (token) => {
      expect(decodeConsistencyToken(token)).toBeUndefined()
    },
  )
})

describe('note commands', () => {
  it('normalise tags: lower case, no duplicates', () => {
    expect(CreateNoteBody.parse({ title: ' T ', body: '', tags: ['A', 'a', 'b'] })).toEqual({
      title: 'T',
      body: '',
      tags: ['a', 'b'],
    })
  })
  it('reject an edit that changes nothing and unknown fields', () => {
    expect(EditNoteBody.safeParse({}).success).toBe(false)
    expect(EditNoteBody.safeParse({ title: 'x', owner: 'me' }).success).toBe(false)
  })
})
