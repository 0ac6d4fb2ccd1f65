import type { AuditEntry, Permission } from '../api/types.ts'
import { bodyDiff, type DiffPart } from './body-diff.ts'
import { accessLabel } from './note-access.ts'

type FieldChange = AuditEntry['changes'][number]

/** One field change of a history entry, shaped for reading (the API's before/after are any JSON). */
export type ChangeView =
  | { kind: 'text'; label: string; before: string | null; after: string | null }
  | { kind: 'body'; label: string; parts: DiffPart[] }
  | { kind: 'share'; userId: string; before: string | null; after: string | null }
  | { kind: 'deleted' }

const entryWords: Record<string, string> = {
  NoteCreated: 'Created',
  NoteEdited: 'Edited',
  NoteShared: 'Shared',
  NoteUnshared: 'Unshared',
  NoteDeleted: 'Deleted',
}

/** What kind of change an entry is, in words ("Edited"); an event type this app does not know, as it is. */
export const entryKind = (type: string): string => entryWords[type] ?? type

const textOf = (value: unknown): string | null => {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(String).join(', ')
  return JSON.stringify(value)
}

const permissionWords = (value: unknown): string | null =>
  value === 'read' || value === 'write' ? accessLabel[value as Permission] : textOf(value)

export const describeChange = (change: FieldChange): ChangeView => {
  if (change.field === 'body') {
    return { kind: 'body', label: 'Body', parts: bodyDiff(textOf(change.before), textOf(change.after)) }
  }
  if (change.field.startsWith('shares.')) {
    return {
      kind: 'share',
      userId: change.field.slice('shares.'.length),
      before: permissionWords(change.before),
      after: permissionWords(change.after),
    }
  }
  if (change.field === 'deleted') return { kind: 'deleted' }
  const label = change.field === 'title' ? 'Title' : change.field === 'tags' ? 'Tags' : change.field
  return { kind: 'text', label, before: textOf(change.before), after: textOf(change.after) }
}

/** A history entry's versions that can be opened and restored: accepted changes, not the deletion. */
export const canOpenVersion = (entry: Pick<AuditEntry, 'refused' | 'type'>): boolean =>
  !entry.refused && entry.type !== 'NoteDeleted'
