import { z } from 'zod'
import { Id } from '../ids.ts'
import { Share } from './fields.ts'
import type { Note } from './state.ts'

/** A note as the API shows it. */
export const NoteView = z.object({
  id: Id,
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  owner: Id,
  shares: z.array(Share),
  version: z.number().int().positive(),
  createdAt: z.string(),
  createdBy: Id,
  updatedAt: z.string(),
  updatedBy: Id,
})
export type NoteView = z.infer<typeof NoteView>

export const toNoteView = (note: Note): NoteView => ({
  id: note.id,
  title: note.title,
  body: note.body,
  tags: note.tags,
  owner: note.owner,
  shares: Object.entries(note.shares).map(([userId, permission]) => ({ userId, permission })),
  version: note.version,
  createdAt: note.createdAt,
  createdBy: note.createdBy,
  updatedAt: note.updatedAt,
  updatedBy: note.updatedBy,
})
