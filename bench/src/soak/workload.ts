import { type HttpClient, type Reply, seededRandom } from '@jetnotes/testing'
import type { AckedWrite, Ledger, OperationKind } from './ledger.ts'

/** A soak user: who they are and how they log in. */
export type SoakUser = { id: string; token: string }

/** What the workload's clients believe about a note (from their own replies; they may be wrong). */
type KnownNote = {
  owner: SoakUser
  /** The version of the last reply that said one; unknown after a 204, a 412 or no answer. */
  version: number | undefined
  deleted: boolean
  sharees: Set<string>
}

/** How long a request may take: a paused process answers nothing, and the client gives up as a person would. */
const requestTimeoutMs = 10_000

const versionOf = (reply: Reply) => {
  const match = /^(?:W\/)?"(\d+)"$/.exec(reply.headers.get('etag') ?? '')
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/**
 * Sends a request and records how it ended in the ledger: its status, or `timeout` / `no answer` when none
 * came. `acked` says what a 2xx acknowledged.
 */
const send = async (
  ledger: Ledger,
  kind: OperationKind,
  request: (signal: AbortSignal) => Promise<Reply>,
  acked: (reply: Reply) => AckedWrite | undefined = () => undefined,
): Promise<Reply | undefined> => {
  try {
    const reply = await request(AbortSignal.timeout(requestTimeoutMs))
    ledger.record(kind, String(reply.status), reply.status < 300 ? acked(reply) : undefined)
    return reply
  } catch (error) {
    ledger.record(kind, error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'no answer')
    return undefined
  }
}

/** Registers `count` users, retrying each until it is acknowledged (the system may still be starting). */
export const registerUsers = async (commands: HttpClient, ledger: Ledger, count: number, seed: number) => {
  const users: SoakUser[] = []
  for (let index = 0; index < count; index++) {
    const body = { name: `Soak user ${index}`, email: `soak-${seed}-${index}-${Date.now()}@example.com` }
    for (let attempt = 0; ; attempt++) {
      const reply = await send(
        ledger,
        'register',
        (signal) => commands.post('/users', body, { signal }),
        (reply) => ({ kind: 'register', userId: reply.body.id as string }),
      )
      if (reply?.status === 201) {
        users.push({ id: reply.body.id as string, token: reply.body.token as string })
        break
      }
      if (attempt >= 50) throw new Error(`could not register user ${index}: ${reply?.status ?? 'no answer'}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  return users
}

export type WorkloadOptions = {
  commands: readonly HttpClient[]
  queries: readonly HttpClient[]
  users: readonly SoakUser[]
  ledger: Ledger
  seed: number
  /** Clients sending one request at a time each, with a pause of `pauseMs` (on average) between requests. */
  workers: number
  pauseMs: number
  /** When to stop (a `Date.now()` value). */
  until: number
}

/**
 * The random workload: users create notes, edit them with If-Match (their own and those shared with them
 * for writing, sometimes those they may not), share and unshare them, delete them, and read them. Each
 * worker draws its choices from its own generator seeded from `seed`; the interleaving depends on timing.
 */
export const runWorkload = async (options: WorkloadOptions) => {
  const notes = new Map<string, KnownNote>()
  await Promise.all(Array.from({ length: options.workers }, (_, worker) => runWorker(options, notes, worker)))
}

const runWorker = async (
  { commands, queries, users, ledger, seed, pauseMs, until }: WorkloadOptions,
  notes: Map<string, KnownNote>,
  worker: number,
) => {
  const random = seededRandom(seed * 1_000 + worker)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const livingNotes = () => [...notes].filter(([, note]) => !note.deleted)
  let step = 0

  /** The note's version as the client knows it, or read from the query-service (a read like any other). */
  const knownVersion = async (noteId: string, note: KnownNote, actor: SoakUser) => {
    if (note.version !== undefined) return note.version
    const reply = await send(ledger, 'read', (signal) =>
      pick(queries).get(`/notes/${noteId}`, { token: actor.token, signal }),
    )
    if (reply?.status === 404 && actor === note.owner) note.deleted = true
    return reply?.status === 200 ? versionOf(reply) : undefined
  }

  while (Date.now() < until) {
    step++
    const api = pick(commands)
    const roll = random()
    const living = livingNotes()
    if (living.length === 0 || roll < 0.2) {
      const actor = pick(users)
      const body = {
        title: `Soak ${worker}.${step}`,
        body: `created ${worker}.${step}`,
        tags: [pick(['a', 'b'])],
      }
      const reply = await send(
        ledger,
        'create',
        (signal) => api.post('/notes', body, { token: actor.token, signal }),
        (reply) => ({
          kind: 'create',
          noteId: reply.body.id as string,
          actor: actor.id,
          version: versionOf(reply) ?? 0,
        }),
      )
      if (reply?.status === 201) {
        notes.set(reply.body.id as string, {
          owner: actor,
          version: versionOf(reply),
          deleted: false,
          sharees: new Set(),
        })
      }
    } else if (roll < 0.87) {
      const [noteId, note] = pick(living)
      // Mostly the owner; sometimes anyone (a sharee, or someone refused).
      const actor = random() < 0.75 ? note.owner : pick(users)
      const ifMatch = await knownVersion(noteId, note, actor)
      if (ifMatch === undefined) continue
      const headers = { 'if-match': `"${ifMatch}"` }
      const path = `/notes/${noteId}`
      const token = actor.token
      let reply: Reply | undefined
      if (roll < 0.55) {
        const body = `edited ${worker}.${step} ${random().toString(36).slice(2, 8)}`
        reply = await send(
          ledger,
          'edit',
          (signal) => api.patch(path, { body }, { token, headers, signal }),
          (reply) => ({
            kind: 'edit',
            noteId,
            actor: actor.id,
            ifMatch,
            version: versionOf(reply) ?? 0,
            body,
          }),
        )
      } else if (roll < 0.7) {
        const userId = pick(users.filter((user) => user !== note.owner)).id
        const permission = pick(['read', 'write'] as const)
        reply = await send(
          ledger,
          'share',
          (signal) => api.post(`${path}/shares`, { userId, permission }, { token, headers, signal }),
          (reply) => ({
            kind: 'share',
            noteId,
            actor: actor.id,
            ifMatch,
            version: versionOf(reply) ?? 0,
            userId,
            permission,
          }),
        )
        if (reply?.status === 200) note.sharees.add(userId)
      } else if (roll < 0.82) {
        const userId = note.sharees.size > 0 && random() < 0.8 ? pick([...note.sharees]) : pick(users).id
        reply = await send(
          ledger,
          'unshare',
          (signal) => api.delete(`${path}/shares/${userId}`, { token, headers, signal }),
          () => ({ kind: 'unshare', noteId, actor: actor.id, ifMatch, userId }),
        )
        if (reply?.status === 204) note.sharees.delete(userId)
      } else {
        reply = await send(
          ledger,
          'delete',
          (signal) => api.delete(path, { token, headers, signal }),
          () => ({ kind: 'delete', noteId, actor: actor.id, ifMatch }),
        )
        if (reply?.status === 204) note.deleted = true
      }
      // The client knows the new version only from a reply that names one.
      note.version = reply !== undefined && reply.status === 200 ? versionOf(reply) : undefined
    } else {
      const actor = pick(users)
      await send(ledger, 'read', (signal) =>
        random() < 0.5 || living.length === 0
          ? pick(queries).get('/notes?limit=20', { token: actor.token, signal })
          : pick(queries).get(`/notes/${pick(living)[0]}`, { token: actor.token, signal }),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs * 2 * random()))
  }
}
