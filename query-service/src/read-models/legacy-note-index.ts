import type { LegacyNoteIndex, NoteListDirectory, NoteListHead, NoteListPage } from '@jetnotes/schemas'
import type { ViewEntry, ViewReader } from './watched-bucket.ts'

/** The one page a shape-1 list is read as. */
const onlyPage = '0a'

const entry = (value: unknown): ViewEntry => ({ operation: 'PUT', json: <T>() => value as T })

/**
 * Shape 1 of the note lists (`note-index-gN`: each user's whole list in one entry), read as a paged list of one
 * page, so the query-service serves a data directory from an older release while the projector's upgrade
 * rebuild writes the current shape (see README, Upgrading). Costs what shape 1 cost; it lasts one rebuild.
 */
export const legacyNoteLists = (index: ViewReader): ViewReader => ({
  get: async (key) => {
    const [userId = '', kind, pageId] = key.split('.')
    if (kind === undefined) return entry({ first: onlyPage } satisfies NoteListHead)
    const onlyDirectory = { pages: [{ id: onlyPage, from: null }] } satisfies NoteListDirectory
    if (kind === 'dir') return entry(onlyDirectory)
    if (kind === 'd') return pageId === onlyPage ? entry(onlyDirectory) : null
    if (kind !== 'p' || pageId !== onlyPage) return null
    const stored = await index.get(userId)
    const list = stored?.operation === 'PUT' ? stored.json<LegacyNoteIndex>() : { notes: [], seq: 0 }
    return entry({ notes: list.notes, next: null, seq: list.seq } satisfies NoteListPage)
  },
})
