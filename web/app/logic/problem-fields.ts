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
    return [typeof field === 'string' && field !== '' ? `${field}: ${message}` : message]
  })
}
