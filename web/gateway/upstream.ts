import type { FastifyReply, FastifyRequest } from 'fastify'

/** The two services behind the gateway: commands (writes) and queries (reads, live streams). */
export type Upstreams = { commandUrl: string; queryUrl: string }

/**
 * The browser's request headers a service may see. A list of those allowed, not of those removed: the
 * browser's `Cookie` and `Authorization` never reach a service (identity is the session's token alone).
 */
const forwardedRequestHeaders = [
  'accept',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'consistency-token',
  'last-event-id',
  'user-agent',
] as const

/** The services' answer headers the browser may see: never `Set-Cookie`, nor anything not listed. */
const passedBackHeaders: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'cache-control',
  'etag',
  'last-modified',
  'vary',
  'location',
  'consistency-token',
  'retry-after',
  'projection-lag',
  'projection-position',
  'idempotent-replayed',
  'x-accel-buffering',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
])

/**
 * The headers of a request to a service on the browser's behalf: the allowed ones of the browser's, the
 * session's token as a bearer token, who the client is (`X-Forwarded-For`, believed by the services from this
 * machine, `TRUST_PROXY`) and the request id, so that the services' logs and the events name the same request.
 */
export const upstreamHeaders = (
  request: FastifyRequest,
  token: string | undefined,
): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const name of forwardedRequestHeaders) {
    const value = request.headers[name]
    if (typeof value === 'string') headers[name] = value
  }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  headers['x-forwarded-for'] = request.ip
  headers['x-forwarded-proto'] = request.protocol
  headers['x-request-id'] = request.id
  return headers
}

/** The headers of a service's answer the browser gets; a `Location` on the service becomes one under /api. */
export const passedBack = (headers: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => passedBackHeaders.has(name.toLowerCase()))
      .map(([name, value]) =>
        name.toLowerCase() === 'location' && typeof value === 'string' && value.startsWith('/')
          ? [name, `/api${value}`]
          : [name, value],
      ),
  )

/** A service that could not be reached. */
export class UpstreamUnreachableError extends Error {
  override name = 'UpstreamUnreachableError'
}

/** A JSON request to a service on the browser's behalf (the session routes); a network failure throws. */
export const callUpstream = async (
  url: string,
  request: FastifyRequest,
  init: { method: string; token?: string | undefined; body?: unknown },
): Promise<Response> => {
  const headers = upstreamHeaders(request, init.token)
  delete headers['content-length']
  delete headers['if-match']
  delete headers['if-none-match']
  headers.accept = 'application/json'
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  try {
    return await fetch(url, {
      method: init.method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (error) {
    throw new UpstreamUnreachableError(`${new URL(url).origin} did not answer`, { cause: error })
  }
}

/** Sends a service's answer on as it is (a problem document, typically), with its passed-back headers. */
export const relay = async (reply: FastifyReply, response: Response) => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  const { 'content-length': _length, ...kept } = passedBack(headers)
  return reply
    .status(response.status)
    .headers(kept)
    .send(Buffer.from(await response.arrayBuffer()))
}
