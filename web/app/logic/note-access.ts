import type { NoteView } from '../api/types.ts'

/** What the signed-in person may do with a note: the owner's rights, a share's permission, or nothing. */
export type Access = 'owner' | 'write' | 'read'

export const accessOf = (note: Pick<NoteView, 'owner' | 'shares'>, userId: string): Access | null => {
  if (note.owner === userId) return 'owner'
  return note.shares.find((share) => share.userId === userId)?.permission ?? null
}

export const accessLabel: Record<Access, string> = { owner: 'Owner', write: 'Can edit', read: 'Can read' }
