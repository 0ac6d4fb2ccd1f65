/**
 * The order of every note list, as the query-service sorts it (schemas' `listOrder`): newest created first,
 * notes created in the same millisecond by id, descending. Creation never changes, so an edit never moves a
 * note. Restated here because the app may not import values from @jetnotes/schemas (zod would come with them).
 */
export const newestFirst = (
  a: { createdAt: string; id: string },
  b: { createdAt: string; id: string },
): number => {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1
}
