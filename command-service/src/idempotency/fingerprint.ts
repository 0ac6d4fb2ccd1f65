import { createHash } from 'node:crypto'

/** JSON with object keys sorted, so the same request body always has the same fingerprint. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * Body fields left out of a fingerprint: a fast hash of a password, kept a day in the idempotency bucket, would
 * be a cheap way to guess it. Two requests that differ only in a password count as the same request.
 */
const secretFields: ReadonlySet<string> = new Set(['password', 'currentPassword'])

const withoutSecrets = (body: unknown): unknown =>
  body !== null && typeof body === 'object' && !Array.isArray(body)
    ? Object.fromEntries(Object.entries(body).filter(([field]) => !secretFields.has(field)))
    : body

/** What makes two requests "the same request": method, path, the preconditions and the body (no passwords). */
export const requestFingerprint = (request: {
  method: string
  path: string
  ifMatch?: string
  body: unknown
}) =>
  sha256(
    canonicalJson({
      method: request.method,
      path: request.path,
      ifMatch: request.ifMatch,
      body: withoutSecrets(request.body),
    }),
  )
