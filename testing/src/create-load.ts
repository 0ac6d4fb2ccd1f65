import type { HttpClient } from './http-client.ts'

type Actor = { id: string; token: string }

/** What a load saw: every create acknowledged with a 2xx (note id and status), and every other reply's status. */
export type Ledger = { acked: Map<string, number>; others: Map<string, number> }

/**
 * Creates notes through the command API, `concurrency` requests at a time, round robin over `users`, until
 * stopped, keeping a client-side ledger: every 2xx with the note id it acknowledged, and a count of every other
 * outcome (a status, or the error of a request that got no answer). A chaos test then checks the ledger
 * against the log. `stop` waits for the requests in flight.
 */
export const startCreateLoad = (api: HttpClient, users: readonly Actor[], concurrency = 32) => {
  const ledger: Ledger = { acked: new Map(), others: new Map() }
  let stopping = false
  let sent = 0
  const count = (outcome: string) => ledger.others.set(outcome, (ledger.others.get(outcome) ?? 0) + 1)
  const worker = async () => {
    while (!stopping) {
      const index = sent++
      const user = users[index % users.length] as Actor
      try {
        const reply = await api.post(
          '/notes',
          { title: `Load ${index}`, body: `load ${index}`, tags: ['load'] },
          { token: user.token },
        )
        if (reply.status >= 200 && reply.status < 300) ledger.acked.set(reply.body.id as string, reply.status)
        else count(String(reply.status))
      } catch (error) {
        count(error instanceof Error ? error.name : 'error')
      }
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  return {
    ledger,
    stop: async (): Promise<Ledger> => {
      stopping = true
      await Promise.all(workers)
      return ledger
    },
  }
}
