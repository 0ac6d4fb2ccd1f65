import type { EditorFields, NoteContent } from './note-content.ts'

/** The version and content a draft was started from (version 0: a new note). */
export type DraftBase = NoteContent & { version: number }

/** What someone typed and has not saved yet, with what it was based on (to send only what changed). */
export type Draft = { base: DraftBase; fields: EditorFields }

/** The part of the Web Storage API drafts need (sessionStorage in the browser, a Map in tests). */
export type KeyValueStorage = {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * Unsaved drafts by user and note, in memory and in a storage that survives navigation and reloads. The memory
 * copy is the one read first, so a full or refused storage (private mode, quota) loses nothing while the page
 * lives; a stored draft that does not parse is ignored.
 */
export class DraftStore {
  readonly #memory = new Map<string, Draft>()

  constructor(
    private readonly storage: KeyValueStorage | undefined,
    private readonly prefix = 'jetnotes.draft',
  ) {}

  get(userId: string, noteId: string | null): Draft | undefined {
    const key = this.#key(userId, noteId)
    const remembered = this.#memory.get(key)
    if (remembered !== undefined) return remembered
    const stored = draftFrom(this.#attempt(() => this.storage?.getItem(key)))
    if (stored !== undefined) this.#memory.set(key, stored)
    return stored
  }

  put(userId: string, noteId: string | null, draft: Draft): void {
    const key = this.#key(userId, noteId)
    this.#memory.set(key, draft)
    this.#attempt(() => this.storage?.setItem(key, JSON.stringify(draft)))
  }

  drop(userId: string, noteId: string | null): void {
    const key = this.#key(userId, noteId)
    this.#memory.delete(key)
    this.#attempt(() => this.storage?.removeItem(key))
  }

  #key(userId: string, noteId: string | null): string {
    return `${this.prefix}.${userId}.${noteId ?? 'new'}`
  }

  #attempt<Result>(operation: () => Result): Result | undefined {
    try {
      return operation()
    } catch {
      return undefined
    }
  }
}

const isString = (value: unknown): value is string => typeof value === 'string'

const draftFrom = (text: string | null | undefined): Draft | undefined => {
  if (text === null || text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  const draft = value as { base?: Partial<DraftBase>; fields?: Partial<EditorFields> } | null
  const base = draft?.base
  const fields = draft?.fields
  if (
    base === undefined ||
    fields === undefined ||
    typeof base.version !== 'number' ||
    !isString(base.title) ||
    !isString(base.body) ||
    !Array.isArray(base.tags) ||
    !base.tags.every(isString) ||
    !isString(fields.title) ||
    !isString(fields.body) ||
    !isString(fields.tagsText)
  ) {
    return undefined
  }
  return {
    base: { version: base.version, title: base.title, body: base.body, tags: base.tags },
    fields: { title: fields.title, body: fields.body, tagsText: fields.tagsText },
  }
}
