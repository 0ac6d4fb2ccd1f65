import type { NoteSummary } from '../api/types.ts'

/** The words for a person's access to a note, the same in the list and the share panel. */
export const accessLabel: Record<NoteSummary['access'], string> = {
  owner: 'Owner',
  write: 'Can edit',
  read: 'Can read',
}
