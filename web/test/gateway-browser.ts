import { sessionCookie } from '@jetnotes/web'

/** What a test gets back through the gateway: status, headers, the body as text and, if JSON, parsed. */
export type GatewayReply = { status: number; headers: Headers; text: string; body: Record<string, unknown> }

/**
 * A browser as the gateway sees it, for tests: it keeps the session cookie the gateway sets (and drops it when
 * the gateway clears it), and sends its page's origin on every request, as a browser does on writes.
 */
export const gatewayBrowser = (base: string, options: { token?: string; origin?: string | null } = {}) => {
  let session = options.token
  const origin = options.origin === undefined ? base : options.origin
  const send = async (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<GatewayReply> => {
    const headers: Record<string, string> = { ...init.headers }
    if (session !== undefined) headers.cookie = `${sessionCookie}=${session}`
    if (origin !== null) headers.origin ??= origin
    if (init.body !== undefined) headers['content-type'] ??= 'application/json'
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, value] = (pair ?? '').split('=')
      if (name !== sessionCookie) continue
      session = value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line) ? undefined : value
    }
    const text = await response.text()
    const parsed = (() => {
      try {
        return JSON.parse(text) as Record<string, unknown>
      } catch {
        return {}
      }
    })()
    return { status: response.status, headers: response.headers, text, body: parsed }
  }
  return {
    get session() {
      return session
    },
    send,
    get: (path: string, headers?: Record<string, string>) =>
      send('GET', path, headers === undefined ? {} : { headers }),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('POST', path, { body, ...(headers === undefined ? {} : { headers }) }),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('PATCH', path, { body, ...(headers === undefined ? {} : { headers }) }),
    delete: (path: string, headers?: Record<string, string>) =>
      send('DELETE', path, headers === undefined ? {} : { headers }),
  }
}

export type GatewayBrowser = ReturnType<typeof gatewayBrowser>
