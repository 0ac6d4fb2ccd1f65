/** The editable content of a note, as the API holds it. */
export type NoteContent = { title: string; body: string; tags: string[] }

/** What an editor holds: the tags as typed (comma-separated), the rest as is. */
export type EditorFields = { title: string; body: string; tagsText: string }

export const contentFields = ['title', 'body', 'tags'] as const
export type ContentField = (typeof contentFields)[number]

/** The tags a comma-separated text stands for, normalised as the API stores them: trimmed, lower case, once each. */
export const parseTags = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((tag) => tag.trim().toLowerCase())
      .filter((tag) => tag !== ''),
  ),
]

export const formatTags = (tags: readonly string[]): string => tags.join(', ')

export const fieldsOf = (content: NoteContent): EditorFields => ({
  title: content.title,
  body: content.body,
  tagsText: formatTags(content.tags),
})

export const contentOf = (fields: EditorFields): NoteContent => ({
  title: fields.title,
  body: fields.body,
  tags: parseTags(fields.tagsText),
})

export const sameField = <Field extends ContentField>(
  field: Field,
  a: NoteContent[Field],
  b: NoteContent[Field],
): boolean => {
  if (field !== 'tags') return a === b
  const left = a as string[]
  const right = b as string[]
  return left.length === right.length && left.every((tag, index) => tag === right[index])
}

/** The fields of `to` that differ from `from`: what a PATCH from `from` to `to` sends (nothing else). */
export const changesBetween = (from: NoteContent, to: NoteContent): Partial<NoteContent> => {
  const changes: Partial<NoteContent> = {}
  if (!sameField('title', from.title, to.title)) changes.title = to.title
  if (!sameField('body', from.body, to.body)) changes.body = to.body
  if (!sameField('tags', from.tags, to.tags)) changes.tags = to.tags
  return changes
}

export const sameContent = (a: NoteContent, b: NoteContent): boolean =>
  Object.keys(changesBetween(a, b)).length === 0
