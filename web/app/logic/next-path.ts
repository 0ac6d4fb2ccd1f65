/**
 * Where to go after signing in: the `next` query parameter when it is a path of this app, else the list. A
 * full address or `//host` is refused, so a link cannot send someone elsewhere after they sign in.
 */
export const nextPathOf = (next: unknown): string => {
  const path = Array.isArray(next) ? next[0] : next
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\'))
    return '/'
  if (path.startsWith('/sign-in') || path.startsWith('/sign-up')) return '/'
  return path
}
