import { z } from 'zod'
import { Id } from '../ids.ts'
import { Share } from './fields.ts'
import { shareList } from './shares.ts'
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
  shares: shareList(note.shares),
  version: note.version,
  createdAt: note.createdAt,
  createdBy: note.createdBy,
  updatedAt: note.updatedAt,
  updatedBy: note.updatedBy,
})

/** A note as it was at one version (`GET /notes/:id/versions/:version`); `deleted` at the deleting version. */
export const NoteVersionView = NoteView.extend({ deleted: z.boolean() })
export type NoteVersionView = z.infer<typeof NoteVersionView>

/** One line of a note list: enough to show and filter it, without the body. */
export const NoteSummary = z.object({
  id: Id,
  title: z.string(),
  tags: z.array(z.string()),
  owner: Id,
  access: z
    .enum(['owner', 'read', 'write'])
    .describe("The caller's access: owner, or the permission shared with them"),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type NoteSummary = z.infer<typeof NoteSummary>

/** A page of a list, and the cursor of the next one (null on the last page). */
export const page = <Item extends z.ZodType>(item: Item) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() })

/** A change to one field in an audited event. Shares appear as `shares.<userId>`. */
export const FieldChange = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })

/** One entry of a note's audit history, read from the log. */
export const AuditEntry = z.object({
  version: z.number().int().positive(),
  position: z.number().int().positive().describe('The stream sequence of the message holding the event'),
  type: z.string(),
  actor: z.object({ id: Id, name: z.string().nullable() }),
  time: z.string(),
  changes: z.array(FieldChange),
  refused: z
    .boolean()
    .describe(
      "The event's commit did not carry the note's next version (a writer lost a race and was answered 412): it is in the log, but no view, version or later entry reflects it",
    ),
  reason: z.string().optional().describe('Why the commit was refused (only on a refused entry)'),
})
export type AuditEntry = z.infer<typeof AuditEntry>
