/** What a test gets back from a request: status, headers and the parsed JSON body ({} when empty). */
export type Reply = { status: number; headers: Headers; body: Record<string, unknown> }

export type RequestOptions = {
  token?: string
  body?: unknown
  rawBody?: string
  headers?: Record<string, string>
  /** Aborts the request (e.g. `AbortSignal.timeout(ms)`, for a server that may be paused). */
  signal?: AbortSignal
}

/** A small HTTP client for tests: JSON in, JSON out, over real sockets. */
export const httpClient = (base: string) => {
  const send = async (method: string, path: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined = options.rawBody
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await fetch(`${base}${path}`, { method, headers, body, signal: options.signal ?? null })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) }
  }
  return {
    base,
    send,
    get: (path: string, options: RequestOptions = {}) => send('GET', path, options),
    post: (path: string, body?: unknown, options: RequestOptions = {}) =>
      send('POST', path, { ...options, body }),
    patch: (path: string, body?: unknown, options: RequestOptions = {}) =>
      send('PATCH', path, { ...options, body }),
    put: (path: string, body?: unknown, options: RequestOptions = {}) =>
      send('PUT', path, { ...options, body }),
    delete: (path: string, options: RequestOptions = {}) => send('DELETE', path, options),
  }
}

export type HttpClient = ReturnType<typeof httpClient>

let registered = 0

/** Registers a user through the command API and returns their id, token and name. */
export const registerUser = async (api: HttpClient, name = `User ${++registered}`) => {
  const reply = await api.post('/users', {
    name,
    email: `user-${++registered}-${process.pid}-${Date.now()}@example.com`,
  })
  if (reply.status !== 201)
    throw new Error(`registration failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return { id: reply.body.id as string, token: reply.body.token as string, name }
}

/** Creates a note through the command API and returns its id. */
export const createNote = async (api: HttpClient, token: string, note: Record<string, unknown> = {}) => {
  const reply = await api.post('/notes', { title: 'A note', body: 'Its body', ...note }, { token })
  if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body.id as string
}
