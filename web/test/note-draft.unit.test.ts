import { describe, expect, it } from 'vitest'
import { type Draft, DraftStore, type KeyValueStorage } from '../app/logic/note-draft.ts'

class MapStorage implements KeyValueStorage {
  readonly items = new Map<string, string>()
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string) {
    this.items.set(key, value)
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
}

const draft: Draft = {
  base: { version: 2, title: 'Groceries', body: 'milk', tags: ['home'] },
  fields: { title: 'Groceries', body: 'milk, eggs', tagsText: 'home' },
}

describe('an unsaved draft', () => {
  it('is found again by a new page (a reload) through the storage', () => {
    const storage = new MapStorage()
    new DraftStore(storage).put('ann', 'n1', draft)
    expect(new DraftStore(storage).get('ann', 'n1')).toEqual(draft)
  })

  it('belongs to one user and one note (a new note has its own)', () => {
    const store = new DraftStore(new MapStorage())
    store.put('ann', null, draft)
    expect(store.get('ann', null)).toEqual(draft)
    expect(store.get('bob', null)).toBeUndefined()
    expect(store.get('ann', 'n1')).toBeUndefined()
  })

  it('is kept in memory when the storage refuses it', () => {
    const full: KeyValueStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
      removeItem: () => {},
    }
    const store = new DraftStore(full)
    store.put('ann', 'n1', draft)
    expect(store.get('ann', 'n1')).toEqual(draft)
  })

  it('is gone once dropped (saved), from memory and storage', () => {
    const storage = new MapStorage()
    const store = new DraftStore(storage)
    store.put('ann', 'n1', draft)
    store.drop('ann', 'n1')
    expect(store.get('ann', 'n1')).toBeUndefined()
    expect(storage.items.size).toBe(0)
  })

  it('is ignored when what is stored is not a draft', () => {
    const storage = new MapStorage()
    storage.setItem('jetnotes.draft.ann.n1', '{"base":{"version":"2"}}')
    storage.setItem('jetnotes.draft.ann.n2', 'not json')
    const store = new DraftStore(storage)
    expect(store.get('ann', 'n1')).toBeUndefined()
    expect(store.get('ann', 'n2')).toBeUndefined()
  })
})
