import { type ContentField, contentFields, type NoteContent, sameField } from './note-content.ts'

/** Who changed a field since the version both sides started from. */
export type ChangedBy = 'nobody' | 'me' | 'them' | 'both-alike' | 'both'

/** One field of a conflict: mine and theirs, whether they differ, and who changed it since the base. */
export type FieldComparison = {
  field: ContentField
  mine: NoteContent[ContentField]
  theirs: NoteContent[ContentField]
  differs: boolean
  changedBy: ChangedBy
}

/**
 * Compares my content with theirs, field by field, and notes against the base (the version my edits started
 * from) what each side changed: the three-way view that tells "I changed the title, they changed the body"
 * from a real clash.
 */
export const compareVersions = (
  base: NoteContent,
  mine: NoteContent,
  theirs: NoteContent,
): FieldComparison[] =>
  contentFields.map((field) => {
    const differs = !sameField(field, mine[field], theirs[field])
    const iChanged = !sameField(field, base[field], mine[field])
    const theyChanged = !sameField(field, base[field], theirs[field])
    const changedBy: ChangedBy =
      iChanged && theyChanged
        ? differs
          ? 'both'
          : 'both-alike'
        : iChanged
          ? 'me'
          : theyChanged
            ? 'them'
            : 'nobody'
    return { field, mine: mine[field], theirs: theirs[field], differs, changedBy }
  })

export const changedByWords: Record<ChangedBy, string> = {
  nobody: 'Nobody changed it',
  me: 'You changed it',
  them: 'They changed it',
  'both-alike': 'You both changed it the same way',
  both: 'You both changed it',
}

/**
 * The current version a 412 problem names (its `currentVersion`), if it does: the version the query side must
 * have caught up with before "theirs" can be shown.
 */
export const currentVersionIn = (problem: unknown): number | undefined => {
  if (typeof problem !== 'object' || problem === null || !('currentVersion' in problem)) return undefined
  const { currentVersion } = problem
  return typeof currentVersion === 'number' && Number.isInteger(currentVersion) ? currentVersion : undefined
}
