import { z } from 'zod'
import type { HttpApp } from './create-app.ts'
import { ProblemSchema, problem, sendProblem } from './problem-details.ts'

/** What a probe found: whether its dependency is usable, and figures worth showing under `details.<name>`. */
export type Readiness = { ready: boolean; details: Record<string, unknown> }

/** A readiness check: a name, and a probe that says whether that dependency is usable (and may say what it measured). */
export type ReadinessCheck = { name: string; probe: () => Promise<boolean | Readiness> | boolean | Readiness }

const Checks = z.record(z.string(), z.boolean()).describe('Each check, true when it passed')
const Details = z
  .record(z.string(), z.record(z.string(), z.unknown()))
  .describe('What some checks measured, by check')

const Health = z.object({
  status: z.enum(['ok', 'ready']),
  checks: Checks.optional(),
  details: Details.optional(),
})

const NotReady = ProblemSchema.extend({ checks: Checks, details: Details.optional() }).describe(
  'application/problem+json: the checks, and what they measured',
)

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency it needs answers; otherwise 503, a problem
 * document naming the checks that failed (with every check's result, and what the probes measured).
 */
export const registerHealth = (app: HttpApp, checks: ReadinessCheck[]) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Health } } },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The service can serve requests: its dependencies answer',
        response: { 200: Health, 503: NotReady },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        checks.map(async ({ name, probe }) => {
          const found = await Promise.resolve()
            .then(probe)
            .catch((): Readiness => ({ ready: false, details: {} }))
          return { name, ...(typeof found === 'boolean' ? { ready: found, details: {} } : found) }
        }),
      )
      const outcome = {
        checks: Object.fromEntries(results.map(({ name, ready }) => [name, ready])),
        ...withDetails(results),
      }
      const failed = results.filter(({ ready }) => !ready).map(({ name }) => name)
      if (failed.length === 0) return reply.status(200).send({ status: 'ready', ...outcome })
      const instance = request.url.split('?')[0]
      return sendProblem(
        reply,
        problem('not-ready', 503, `Not ready: ${failed.join(', ')}`, { instance, ...outcome }),
      )
    },
  )
}

const withDetails = (results: { name: string; details: Record<string, unknown> }[]) => {
  const measured = results.filter(({ details }) => Object.keys(details).length > 0)
  return measured.length === 0
    ? {}
    : { details: Object.fromEntries(measured.map(({ name, details }) => [name, details])) }
}
