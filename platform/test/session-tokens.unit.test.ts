import { randomUUID } from 'node:crypto'
import type { User } from '@jetnotes/schemas'
import { describe, expect, it } from 'vitest'
import { issueToken } from '../src/auth/tokens.ts'
import { sessionIdOf } from '../src/auth/user-directory.ts'

const userId = randomUUID()
const api = issueToken(userId)
const laptop = issueToken(userId)
const phone = issueToken(userId)
const ann: User = {
  id: userId,
  name: 'Ann',
  email: 'ann@example.com',
  tokenHash: api.tokenHash,
  credentialId: 'c'.repeat(32),
  sessions: [
    { id: 'a'.repeat(32), tokenHash: laptop.tokenHash },
    { id: 'b'.repeat(32), tokenHash: phone.tokenHash },
  ],
  active: true,
  version: 4,
  registeredAt: '2026-01-01T00:00:00.000Z',
}

describe('the session a token belongs to', () => {
  it('is found by the hash of its secret', () => {
    expect(sessionIdOf(ann, laptop.token)).toBe('a'.repeat(32))
    expect(sessionIdOf(ann, phone.token)).toBe('b'.repeat(32))
  })

  it('is none for the API token, another account, or something that is not a token', () => {
    expect(sessionIdOf(ann, api.token)).toBeUndefined()
    const other = issueToken(randomUUID())
    expect(sessionIdOf(ann, other.token)).toBeUndefined()
    expect(
      sessionIdOf(ann, `${randomUUID()}${laptop.token.slice(laptop.token.indexOf('.'))}`),
    ).toBeUndefined()
    expect(sessionIdOf(ann, 'not a token')).toBeUndefined()
  })
})
