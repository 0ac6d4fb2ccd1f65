import { describe, expect, it } from 'vitest'
import { fieldErrorsOf } from '../app/logic/problem-fields.ts'

describe('the failing fields of a validation problem', () => {
  it('are listed in words, field first', () => {
    const body = {
      title: 'Validation failed',
      errors: [
        { in: 'body', field: 'tags.0', message: 'must be 1-40 letters, digits, "_" or "-"' },
        { in: 'body', field: '', message: 'too long' },
        { in: 'body', field: 'shares.x', message: 'odd' },
      ],
    }
    expect(fieldErrorsOf(body)).toEqual([
      'Tags, number 1: must be 1-40 letters, digits, "_" or "-"',
      'too long',
      'shares: odd',
    ])
  })

  it('are none for another problem or no body', () => {
    expect(fieldErrorsOf({ title: 'Not found' })).toEqual([])
    expect(fieldErrorsOf(undefined)).toEqual([])
    expect(fieldErrorsOf({ errors: [null, { field: 'x' }] })).toEqual([])
  })
})
