import { z } from 'zod'
import { defineEvent } from '../envelope.ts'
import { Id } from '../ids.ts'
import { Permission } from './fields.ts'

/** A note was created; its owner is the event's actor. v2 added tags (see `noteUpcasters`). */
export const NoteCreated = defineEvent(
  'NoteCreated',
  2,
  z.object({ title: z.string(), body: z.string(), tags: z.array(z.string()) }),
)
export type NoteCreated = z.infer<typeof NoteCreated>

/** A note's content changed; only the fields that changed are present. */
export const NoteEdited = defineEvent(
  'NoteEdited',
  1,
  z.object({
    title: z.string().optional(),
    body: z.string().optional(),
    tags: z.array(z.string()).optional(),
  }),
)
export type NoteEdited = z.infer<typeof NoteEdited>

/** A note was shared with a user, or the permission of an existing share changed. */
export const NoteShared = defineEvent('NoteShared', 1, z.object({ userId: Id, permission: Permission }))
export type NoteShared = z.infer<typeof NoteShared>

/** A user lost access to a note. */
export const NoteUnshared = defineEvent('NoteUnshared', 1, z.object({ userId: Id }))
export type NoteUnshared = z.infer<typeof NoteUnshared>

/** A note was deleted. Its history stays in the log. */
export const NoteDeleted = defineEvent('NoteDeleted', 1, z.object({}))
export type NoteDeleted = z.infer<typeof NoteDeleted>

export const NoteEvent = z.discriminatedUnion('type', [
  NoteCreated,
  NoteEdited,
  NoteShared,
  NoteUnshared,
  NoteDeleted,
])
export type NoteEvent = z.infer<typeof NoteEvent>
export type NoteEventType = NoteEvent['type']
