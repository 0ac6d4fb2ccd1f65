import { describe, expect, it } from 'vitest'
import { bodyDiff } from '../app/logic/body-diff.ts'

describe('a body diff', () => {
  it('shows the words changed within a line, keeping the rest', () => {
    expect(bodyDiff('buy milk and eggs\n', 'buy oat milk and bread\n')).toEqual([
      { kind: 'same', text: 'buy ' },
      { kind: 'added', text: 'oat ' },
      { kind: 'same', text: 'milk and ' },
      { kind: 'removed', text: 'eggs' },
      { kind: 'added', text: 'bread' },
      { kind: 'same', text: '\n' },
    ])
  })

  it('shows a whole body as added when the note was created', () => {
    expect(bodyDiff(null, 'first line\nsecond')).toEqual([{ kind: 'added', text: 'first line\nsecond' }])
  })

  it('shows a rewritten line as removed and added, not as confetti of words', () => {
    expect(bodyDiff('alpha beta gamma\n', 'one two three\n')).toEqual([
      { kind: 'removed', text: 'alpha beta gamma\n' },
      { kind: 'added', text: 'one two three\n' },
    ])
  })

  it('leaves out long unchanged runs, keeping two lines around a change', () => {
    const lines = Array.from({ length: 20 }, (_, index) => `line ${index}\n`)
    const before = lines.join('')
    const after = [...lines.slice(0, 10), 'changed\n', ...lines.slice(11)].join('')
    const parts = bodyDiff(before, after)
    expect(parts[0]).toEqual({ kind: 'skipped', lines: 8 })
    expect(parts[1]).toEqual({ kind: 'same', text: 'line 8\nline 9\n' })
    expect(parts).toContainEqual({ kind: 'removed', text: 'line 10\n' })
    expect(parts).toContainEqual({ kind: 'added', text: 'changed\n' })
    expect(parts.at(-1)).toEqual({ kind: 'skipped', lines: 7 })
  })
})

describe('a body diff of large, wholly different bodies', () => {
  it('shows them as removed and added', () => {
    const body = (prefix: string) =>
      Array.from({ length: 3_000 }, (_, index) => `${prefix} line ${index}`).join('\n')
    expect(bodyDiff(body('old'), body('new')).map((part) => part.kind)).toEqual(['removed', 'added'])
  })
})
