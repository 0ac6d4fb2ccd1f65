import { existsSync } from 'node:fs'
import { join, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import { problem, sendProblem } from '@jetnotes/platform'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * The Content-Security-Policy of the app's pages: everything from this origin only, scripts included (a Vite
 * build has no inline script), nothing may frame it. Images and fonts may also be data: URLs, which Vite
 * inlines small assets as.
 */
export const appPolicy: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
}

/** Vite names every file under assets/ by a hash of its content: a new build makes new names. */
const immutable = 'public, max-age=31536000, immutable'
/** index.html names the current assets: the browser asks again each time (a 304 when nothing changed). */
const revalidate = 'no-cache'

const wantsPage = (request: FastifyRequest) =>
  (request.method === 'GET' || request.method === 'HEAD') &&
  !request.url.startsWith('/api/') &&
  !request.url.startsWith('/assets/') &&
  (request.headers.accept ?? '').includes('text/html')

/**
 * The built app (web/dist): its files, and index.html for any other page a browser asks for (the app's own
 * routes, such as /notes/abc). A request for a file that is not there (a script, an image) is a 404 problem,
 * not a page. Without a built app, pages are a 503 problem that says how to build it.
 */
export const registerStaticApp = async (app: FastifyInstance, appDir: string) => {
  const built = existsSync(join(appDir, 'index.html'))
  if (built) {
    await app.register(fastifyStatic, {
      root: appDir,
      wildcard: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.includes(`${sep}assets${sep}`) ? immutable : revalidate)
      },
    })
  }
  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, problem('not-found', 404, 'Not found', { instance: request.url.split('?')[0] }))
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: (request, reply) => {
      if (!wantsPage(request)) return notFound(request, reply)
      if (!built) {
        const detail =
          'The web app is not built: run `npm run build -w web` (npm start builds it when needed)'
        return sendProblem(
          reply,
          problem('unavailable', 503, detail, { instance: request.url.split('?')[0] }),
        )
      }
      return reply.header('cache-control', revalidate).sendFile('index.html')
    },
  })
}
