import { api } from '../../api/client.ts'
import { ApiProblem } from '../../api/problem.ts'
import type { AuditEntry, NoteVersionView, NoteView, Page } from '../../api/types.ts'
import type { NoteContent } from '../../logic/note-content.ts'

/**
 * The note requests of the editor. Each write's `Consistency-Token` is kept per note and sent with the reads
 * of that note that follow, so a note just created or saved is never read back older than it is (the
 * query side catches up with the log asynchronously).
 */
const consistencyTokens = new Map<string, string>()

const rememberToken = (id: string, headers: Headers) => {
  const token = headers.get('consistency-token')
  if (token !== null) consistencyTokens.set(id, token)
}

const readHeaders = (id: string): Record<string, string> => {
  const token = consistencyTokens.get(id)
  return token === undefined ? {} : { 'consistency-token': token }
}

const path = (id: string) => `/notes/${encodeURIComponent(id)}`

export const loadNote = async (id: string, signal?: AbortSignal): Promise<NoteView> =>
  (await api<NoteView>('GET', path(id), { headers: readHeaders(id), ...(signal ? { signal } : {}) })).body

export const createNote = async (content: NoteContent): Promise<NoteView> => {
  const { body, headers } = await api<NoteView>('POST', '/notes', { body: content })
  rememberToken(body.id, headers)
  return body
}

/** Sends the changed fields, based on `version` (412 if the note has moved on since). */
export const patchNote = async (
  id: string,
  version: number,
  changes: Partial<NoteContent>,
): Promise<NoteView> => {
  const { body, headers } = await api<NoteView>('PATCH', path(id), {
    body: changes,
    headers: { 'if-match': `"${version}"` },
  })
  rememberToken(id, headers)
  return body
}

export const deleteNote = async (id: string, version: number): Promise<void> => {
  await api('DELETE', path(id), { headers: { 'if-match': `"${version}"` } })
}

export const loadHistory = async (id: string, cursor: string | undefined): Promise<Page<AuditEntry>> => {
  const query = cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`
  return (await api<Page<AuditEntry>>('GET', `${path(id)}/history${query}`, { headers: readHeaders(id) }))
    .body
}

export const loadVersion = async (id: string, version: number): Promise<NoteVersionView> =>
  (await api<NoteVersionView>('GET', `${path(id)}/versions/${version}`, { headers: readHeaders(id) })).body

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The note as it is now, at least at `version` (what a 412 named as current): the query side may not show it
 * yet, so ask again for a few seconds before settling for what it has.
 */
export const loadNoteAtLeast = async (id: string, version: number): Promise<NoteView> => {
  let note = await loadNote(id)
  for (let attempt = 0; note.version < version && attempt < 15; attempt++) {
    await pause(200)
    note = await loadNote(id)
  }
  return note
}

export const isProblem = (error: unknown, status: number): error is ApiProblem =>
  error instanceof ApiProblem && error.status === status
