import { problem, sendProblem } from '@jetnotes/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from './session-cookie.ts'
import { callUpstream, relay, type Upstreams, UpstreamUnreachableError } from './upstream.ts'

/** The account the session belongs to, as the browser sees it (never with a token). */
const User = z.object({ id: z.string(), name: z.string(), email: z.string() })
type User = z.infer<typeof User>

/** What `POST /sessions` answers: the token stays here, in the cookie. */
const SignedIn = z.object({ token: z.string().min(1), user: User })

/** The services validate what they are sent; the gateway only needs the fields to be strings. */
const SignUp = z.object({ name: z.string(), email: z.string(), password: z.string() })
const SignIn = z.object({ email: z.string(), password: z.string() })

const sendUnreachable = (request: FastifyRequest, reply: FastifyReply) =>
  sendProblem(
    reply.header('retry-after', '1'),
    problem('unavailable', 503, 'The service is not reachable', { instance: request.url.split('?')[0] }),
  )

const notSignedIn = (request: FastifyRequest, reply: FastifyReply) =>
  sendProblem(reply, problem('unauthorized', 401, 'Not signed in', { instance: request.url.split('?')[0] }))

/**
 * The browser's session (backend-for-frontend): signing up, in and out sets and clears the HttpOnly cookie
 * that holds the session's token; the answers name the user, never the token. Errors of the services (invalid
 * credentials, validation, rate limits) reach the browser as they are.
 */
export const sessionRoutes =
  (upstreams: Upstreams): FastifyPluginAsyncZod =>
  async (app) => {
    /** Signs in at the command-service; the token goes into the cookie. Any other answer is relayed. */
    const signIn = async (
      request: FastifyRequest,
      reply: FastifyReply,
      credentials: z.infer<typeof SignIn>,
      status: 200 | 201,
    ) => {
      const response = await callUpstream(`${upstreams.commandUrl}/sessions`, request, {
        method: 'POST',
        body: credentials,
      })
      if (response.status !== 201) return relay(reply, response)
      const { token, user } = SignedIn.parse(await response.json())
      setSessionCookie(request, reply, token)
      return reply.status(status).send({ user: publicUser(user) })
    }

    app.setErrorHandler((error, request, reply) => {
      if (error instanceof UpstreamUnreachableError) {
        request.log.warn({ err: error }, 'the service behind the gateway failed')
        return sendUnreachable(request, reply)
      }
      throw error
    })

    app.post('/api/users', { schema: { body: SignUp } }, async (request, reply) => {
      const { name, email, password } = request.body
      const registered = await callUpstream(`${upstreams.commandUrl}/users`, request, {
        method: 'POST',
        body: { name, email, password },
      })
      // The account's API token in this answer is dropped: the browser gets a session of its own.
      if (registered.status !== 201) return relay(reply, registered)
      await registered.body?.cancel()
      return signIn(request, reply, { email, password }, 201)
    })

    app.post('/api/session', { schema: { body: SignIn } }, async (request, reply) =>
      signIn(request, reply, request.body, 200),
    )

    app.get('/api/session', async (request, reply) => {
      const token = sessionTokenOf(request)
      if (token === undefined) return notSignedIn(request, reply)
      const response = await callUpstream(`${upstreams.queryUrl}/users/me`, request, {
        method: 'GET',
        token,
      })
      if (response.status === 401) clearSessionCookie(request, reply)
      if (response.status !== 200) return relay(reply, response)
      return reply.send({ user: publicUser(User.parse(await response.json())) })
    })

    app.delete('/api/session', async (request, reply) => {
      const token = sessionTokenOf(request)
      // The cookie goes whatever the service answers: the browser asked to be signed out.
      clearSessionCookie(request, reply)
      if (token === undefined) return reply.status(204).send()
      const response = await callUpstream(`${upstreams.commandUrl}/sessions/current`, request, {
        method: 'DELETE',
        token,
      })
      // 401: the session had ended already.
      if (response.status === 204 || response.status === 401) {
        await response.body?.cancel()
        return reply.status(204).send()
      }
      return relay(reply, response)
    })
  }

/** The user as the browser may see it: exactly these fields, whatever else a service's answer holds. */
const publicUser = ({ id, name, email }: User): User => ({ id, name, email })
