import { describe, expect, it } from 'vitest'
import { passwordProblem, signUpProblems } from '../app/logic/account-fields.ts'
import { nextPathOf } from '../app/logic/next-path.ts'
import { updatedTimeText } from '../app/logic/updated-time.ts'

describe('the sign-up fields', () => {
  it('accept a name, an address and a password of 8 to 200 characters', () => {
    expect(signUpProblems({ name: 'Ada', email: 'ada@example.com', password: '12345678' })).toEqual({})
    expect(passwordProblem('x'.repeat(200))).toBeUndefined()
  })

  it('say what is missing or too long, field by field', () => {
    const problems = signUpProblems({ name: ' ', email: 'not-an-address', password: 'short' })
    expect(problems.name).toMatch(/name/)
    expect(problems.email).toMatch(/e-mail/)
    expect(problems.password).toMatch(/at least 8 characters \(5 so far\)/)
    expect(passwordProblem('x'.repeat(201))).toMatch(/at most 200/)
  })
})

describe('the time a note was updated, in words', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z')
  it('is relative for the last day and a date before', () => {
    expect(updatedTimeText('2026-03-01T11:59:30.000Z', now)).toBe('just now')
    expect(updatedTimeText('2026-03-01T11:55:00.000Z', now)).toBe('5 min ago')
    expect(updatedTimeText('2026-03-01T09:00:00.000Z', now)).toBe('3 h ago')
    expect(updatedTimeText('2026-02-01T09:00:00.000Z', now, 'en-GB')).toBe('1 Feb 2026')
  })
})

describe('where signing in leads', () => {
  it('goes to the page asked for, or the list', () => {
    expect(nextPathOf('/notes/abc?x=1')).toBe('/notes/abc?x=1')
    expect(nextPathOf(['/new'])).toBe('/new')
    expect(nextPathOf(undefined)).toBe('/')
  })

  it('never leaves the app, nor loops back to signing in', () => {
    expect(nextPathOf('https://evil.example/')).toBe('/')
    expect(nextPathOf('//evil.example/')).toBe('/')
    expect(nextPathOf('/\\evil.example/')).toBe('/')
    expect(nextPathOf('/sign-in?next=/')).toBe('/')
  })
})
