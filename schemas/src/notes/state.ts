import type { Permission } from './fields.ts'
import { permissionOf, type Shares } from './shares.ts'

/** Everything the log says about one note: the aggregate state and, as it is, the note view. */
export type Note = {
  id: string
  owner: string
  title: string
  body: string
  tags: string[]
  /** userId -> permission. The owner is never in here. Built and read only through `shares.ts`. */
  shares: Shares
  version: number
  deleted: boolean
  createdAt: string
  createdBy: string
  updatedAt: string
  updatedBy: string
}

/** A note aggregate before its first event is `null`. */
export type NoteState = Note | null

export const initialNoteState: NoteState = null

export type Access = 'owner' | Permission | 'none'

/** What a user may do with a note. A deleted note is invisible to everyone. */
export const accessOf = (note: NoteState, userId: string): Access => {
  if (note === null || note.deleted) return 'none'
  if (note.owner === userId) return 'owner'
  return permissionOf(note.shares, userId) ?? 'none'
}

export const canRead = (note: NoteState, userId: string): boolean => accessOf(note, userId) !== 'none'

export const canWrite = (note: NoteState, userId: string): boolean => {
  const access = accessOf(note, userId)
  return access === 'owner' || access === 'write'
}
