import { setTimeout as sleep } from 'node:timers/promises'
import type { HttpClient } from './http-client.ts'

type Actor = { id: string; token: string }

/** One create the command API acknowledged (2xx): the note, when its request was sent and when answered. */
export type AckedCreate = { id: string; sentAt: number; ackedAt: number }

/**
 * A steady create load with a client-side ledger of every acknowledged write, the yardstick of a fault test:
 * whatever was acknowledged must be in the log afterwards, whatever the fault.
 */
export type CreateLoad = {
  /** Every acknowledged create, in the order the answers came. */
  acked: readonly AckedCreate[]
  /** How many answers had each status; 0 counts requests that got no answer (connection refused or reset). */
  statuses: ReadonlyMap<number, number>
  /**
   * Resolves with the first acknowledged create whose request was sent at or after `since` (a write that
   * went through after a fault, not one answered late), waiting up to `timeoutMs`.
   */
  firstAckSentSince: (since: number, timeoutMs: number) => Promise<AckedCreate>
  /** Stops sending and waits for the requests in flight. */
  stop: () => Promise<void>
}

/** Sends creates from `concurrency` clients at once, each as one of `owners` in turn, until stopped. */
export const startCreateLoad = (
  api: HttpClient,
  owners: readonly Actor[],
  { concurrency = 32 }: { concurrency?: number } = {},
): CreateLoad => {
  const acked: AckedCreate[] = []
  const statuses = new Map<number, number>()
  let stopped = false
  let sent = 0
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1)
  const client = async () => {
    while (!stopped) {
      const index = sent++
      const owner = owners[index % owners.length] as Actor
      const sentAt = Date.now()
      const reply = await api
        .post('/notes', { title: `Load ${index}`, body: '', tags: ['load'] }, { token: owner.token })
        .catch(() => undefined)
      count(reply?.status ?? 0)
      if (reply !== undefined && reply.status >= 200 && reply.status < 300) {
        acked.push({ id: reply.body.id as string, sentAt, ackedAt: Date.now() })
      } else {
        // The system is failing over: do not spin on fast refusals.
        await sleep(50)
      }
    }
  }
  const clients = Array.from({ length: concurrency }, client)
  return {
    acked,
    statuses,
    firstAckSentSince: async (since, timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      for (let scanned = 0; ; ) {
        for (; scanned < acked.length; scanned += 1) {
          const create = acked[scanned] as AckedCreate
          if (create.sentAt >= since) return create
        }
        if (Date.now() > deadline) {
          throw new Error(`no create sent since the fault was acknowledged within ${timeoutMs / 1000} s`)
        }
        await sleep(20)
      }
    },
    stop: async () => {
      stopped = true
      await Promise.all(clients)
    },
  }
}
