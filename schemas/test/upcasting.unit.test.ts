import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { noteAggregate, parseCommit } from '../src/index.ts'

const storedV1 = JSON.parse(readFileSync(new URL('./fixtures/note-created-v1.json', import.meta.url), 'utf8'))

describe('a NoteCreated v1 event stored before tags existed', () => {
  it('is upcast to the current version and still folds', () => {
    const events = parseCommit(noteAggregate, storedV1)
    expect(events).toEqual([
      expect.objectContaining({
        type: 'NoteCreated',
        schemaVersion: 2,
        data: expect.objectContaining({ tags: [] }),
      }),
    ])
    const note = events.reduce(noteAggregate.evolve, noteAggregate.initialState)
    expect(note).toMatchObject({
      id: 'legacy-note',
      owner: 'legacy-user',
      title: 'Written before tags existed',
      tags: [],
      version: 1,
    })
  })

  it('is refused when it does not match even its old schema (a poison event)', () => {
    const broken = structuredClone(storedV1)
    broken.events[0].data = { body: 'no title' }
    expect(() => parseCommit(noteAggregate, broken)).toThrow()
  })

  it('leaves the current version alone', () => {
    const current = structuredClone(storedV1)
    Object.assign(current.events[0], { schemaVersion: 2, data: { title: 't', body: 'b', tags: ['x'] } })
    expect(parseCommit(noteAggregate, current)[0]).toMatchObject({ data: { tags: ['x'] } })
  })
})
