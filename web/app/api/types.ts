/** The API's shapes, from the one home of every schema (type-only: nothing of zod reaches the bundle). */
export type { AuditEntry, NoteSummary, NoteVersionView, NoteView, Permission } from '@jetnotes/schemas'

/** The signed-in person, as the gateway's `/api/session` answers. */
export type SessionUser = { id: string; name: string; email: string }

/** A page of a list, and the cursor of the next one. */
export type Page<Item> = { items: Item[]; nextCursor: string | null }
