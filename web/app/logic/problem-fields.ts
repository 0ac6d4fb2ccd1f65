/**
 * The failing fields a validation problem lists (`errors: [{field, message}]`), in words: "title: must not be
 * empty". A problem's detail alone ("The request does not match the API description") does not say what to fix.
 */
export const fieldErrorsOf = (problemBody: unknown): string[] => {
  const errors = (problemBody as { errors?: unknown } | null | undefined)?.errors
  if (!Array.isArray(errors)) return []
  return errors.flatMap((error: unknown) => {
    const { field, message } = (error ?? {}) as { field?: unknown; message?: unknown }
    if (typeof message !== 'string') return []
    return [typeof field === 'string' && field !== '' ? `${fieldWords(field)}: ${message}` : message]
  })
}

const fieldNames: Record<string, string> = { title: 'Title', body: 'Body', tags: 'Tags' }

/** `tags.1` as "Tags, number 2": the path the API reports, in the words of the form. */
const fieldWords = (path: string): string => {
  const [field = path, index] = path.split('.')
  const name = fieldNames[field] ?? field
  return index !== undefined && /^\d+$/.test(index) ? `${name}, number ${Number(index) + 1}` : name
}
