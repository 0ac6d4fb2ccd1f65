import { BadRequestError } from '@jetnotes/platform'

/** Opaque page cursors: the position to continue after, base64url-encoded so clients do not build them. */
export const encodeCursor = (parts: readonly (string | number)[]) =>
  Buffer.from(JSON.stringify(parts)).toString('base64url')

export const decodeCursor = (cursor: string): unknown[] => {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(parts)) return parts
  } catch {
    // fall through
  }
  throw new BadRequestError('cursor is not one this API returned', 'cursor')
}
