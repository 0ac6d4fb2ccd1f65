import { z } from 'zod'
import type { HttpApp } from './create-app.ts'

/** A readiness check: a name and a probe that resolves true when that dependency is usable. */
export type ReadinessCheck = { name: string; probe: () => Promise<boolean> | boolean }

const Health = z.object({
  status: z.enum(['ok', 'ready', 'not-ready']),
  checks: z.record(z.string(), z.boolean()).optional(),
})

/** `/healthz`: the process is alive. `/readyz`: every dependency it needs answers (503 otherwise). */
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
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        checks.map(
          async ({ name, probe }) => [name, await Promise.resolve(probe()).catch(() => false)] as const,
        ),
      )
      const ready = results.every(([, ok]) => ok)
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) })
    },
  )
}
