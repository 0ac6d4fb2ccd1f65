import type { FastifyReply, FastifyRequest } from 'fastify'

/** The cookie that holds the browser's session token. JavaScript cannot read it (HttpOnly). */
export const sessionCookie = 'jetnotes_session'

/**
 * How long the browser keeps the cookie. The session itself lasts until the user signs out, changes the
 * password or signs in on more than ten devices: the services decide whether a token still works.
 */
const keptForSeconds = 30 * 24 * 60 * 60

/**
 * HttpOnly: no script reads it. SameSite=Strict: no other site's page makes the browser send it. Secure when
 * the browser reached us over TLS (directly, or through a trusted proxy's X-Forwarded-Proto), so it never
 * travels in clear text; not over plain http, where a browser would refuse to store it (http://localhost).
 */
const cookieOptions = (request: FastifyRequest) =>
  ({
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
  }) as const

/** The session token the browser sent, if any. */
export const sessionTokenOf = (request: FastifyRequest): string | undefined => {
  const token = request.cookies[sessionCookie]
  return token === undefined || token === '' ? undefined : token
}

export const setSessionCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
  reply.setCookie(sessionCookie, token, { ...cookieOptions(request), maxAge: keptForSeconds })

export const clearSessionCookie = (request: FastifyRequest, reply: FastifyReply) =>
  reply.clearCookie(sessionCookie, cookieOptions(request))
