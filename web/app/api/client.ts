import { ApiProblem } from './problem.ts'

export type ApiResponse<Body> = { status: number; body: Body; headers: Headers }

export type RequestOptions = { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }

/**
 * Calls the gateway's `/api` on this page's origin. The session is the gateway's HttpOnly cookie, so no token
 * passes through here; a non-2xx answer throws an `ApiProblem`.
 */
export const api = async <Body>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<Body>> => {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  const text = await response.text()
  const body: unknown = text === '' ? undefined : JSON.parse(text)
  if (!response.ok && response.status !== 304) throw problemOf(response, body)
  return { status: response.status, body: body as Body, headers: response.headers }
}

const problemOf = (response: Response, body: unknown): ApiProblem => {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return new ApiProblem(
    response.status,
    text(fields.type) ?? 'about:blank',
    text(fields.title) ?? response.statusText ?? `HTTP ${response.status}`,
    text(fields.detail),
    response.headers,
    body,
  )
}
