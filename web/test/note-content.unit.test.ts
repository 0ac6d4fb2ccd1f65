import { describe, expect, it } from 'vitest'
import { changesBetween, contentOf, fieldsOf, parseTags, sameContent } from '../app/logic/note-content.ts'

const note = { title: 'Groceries', body: 'milk', tags: ['home', 'food'] }

describe('tags typed as comma-separated text', () => {
  it('are trimmed, lower-cased and listed once each, as the API stores them', () => {
    expect(parseTags(' Home, FOOD ,, home,food ')).toEqual(['home', 'food'])
  })

  it('read back as the text they came from', () => {
    expect(contentOf(fieldsOf(note))).toEqual(note)
  })
})

describe('what a save sends', () => {
  it('is only the fields that changed', () => {
    expect(changesBetween(note, { ...note, body: 'milk, eggs' })).toEqual({ body: 'milk, eggs' })
  })

  it('includes the tags when their order changed', () => {
    expect(changesBetween(note, { ...note, tags: ['food', 'home'] })).toEqual({ tags: ['food', 'home'] })
  })

  it('is nothing when the tags are only retyped', () => {
    expect(sameContent(note, contentOf({ title: 'Groceries', body: 'milk', tagsText: 'HOME,food, ' }))).toBe(
      true,
    )
  })
})
