import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNote, registerUser } from '../src/http-client.ts'
import { type RunningSystem, startSystem } from '../src/system.ts'

/**
 * Random requests at every route and method of both services: bodies, ids, headers, query strings, with and
 * without a valid token. Never a 5xx; every error is problem+json; a refused request appends nothing.
 * `FUZZ_SEED` and `FUZZ_RUNS` replay or widen a run (a failure prints its seed and path).
 */
const seed = Number(process.env.FUZZ_SEED ?? 20_261_126)
const numRuns = Number(process.env.FUZZ_RUNS ?? 300)

type Service = 'commands' | 'queries'
type Route = { service: Service; method: string; path: string }
type Answer = { status: number; contentType: string; body: string; consistencyToken?: string }

let system: RunningSystem
let routes: Route[]
const bases = {} as Record<Service, string>
/** The ids and tokens placeholders in a generated request stand for. */
const known = { note: '', user: '', other: '', token: '', otherToken: '', consistency: '' }

const signUp = async () => {
  const user = await registerUser(system.commands)
  known.user = user.id
  known.token = user.token
  known.note = await createNote(system.commands, user.token)
}

/** Every operation each service's OpenAPI description lists, plus routes outside it. */
const routesOf = async (service: Service): Promise<Route[]> => {
  const response = await fetch(`${bases[service]}/docs/json`)
  const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> }
  const listed = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({ service, method: method.toUpperCase(), path })),
  )
  const unlisted = ['/healthz', '/readyz', '/docs/json', '/nothing-here', '/'].map((path) => ({
    service,
    method: 'GET',
    path,
  }))
  return [...listed, ...unlisted]
}

/** A request over a plain socket: the path goes out byte for byte (fetch would normalize `..` and `%2E`). */
const send = (
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
) =>
  new Promise<Answer>((resolve, reject) => {
    const { hostname, port } = new URL(base)
    const outgoing = httpRequest({ host: hostname, port, method, path, headers }, (response) => {
      const status = response.statusCode ?? 0
      const contentType = String(response.headers['content-type'] ?? '')
      const token = response.headers['consistency-token']
      const consistencyToken = typeof token === 'string' ? { consistencyToken: token } : {}
      // A live stream that opened never ends by itself: its status and type are all there is to check.
      if (contentType.startsWith('text/event-stream')) {
        response.destroy()
        resolve({ status, contentType, body: '', ...consistencyToken })
        return
      }
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({ status, contentType, body: Buffer.concat(chunks).toString(), ...consistencyToken }),
      )
      response.on('error', reject)
    })
    outgoing.on('error', reject)
    outgoing.setTimeout(5_000, () => outgoing.destroy(new Error(`no answer in 5 s to ${method} ${path}`)))
    // Node sends a GET, HEAD, DELETE or OPTIONS body unframed unless told its length; the server would read it
    // as the next request.
    if (body !== undefined) outgoing.setHeader('content-length', Buffer.byteLength(body))
    outgoing.end(body)
  })

const lastSeqs = async () => {
  const [notes, users] = await Promise.all([
    system.jsm.streams.info('NOTES'),
    system.jsm.streams.info('USERS'),
  ])
  return `NOTES ${notes.state.last_seq}, USERS ${users.state.last_seq}`
}

const placeholders = (text: string) =>
  text
    .replaceAll('$note', known.note)
    .replaceAll('$user', known.user)
    .replaceAll('$other', known.other)
    .replaceAll('$consistency', known.consistency)
    .replaceAll('$email', `fuzz-${Date.now()}-${Math.random()}@example.com`)

const printable = fc.stringMatching(/^[\x20-\x7e]{0,30}$/)

/** Path segments: real ids, the names that once meant something to JavaScript or NATS, encodings good and bad. */
const segment = fc.oneof(
  fc.constantFrom('$note', '$user', '$other'),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '.',
    '..',
    '*',
    '>',
    '%2E',
    '%2e%2e',
    '%2A',
    '%3E',
    '%FF',
    '%00',
    '%2F',
    '%E2%82',
    '%',
    'a.b',
    '$note.x',
    '',
    'a'.repeat(101),
    'ü',
    '%C3%BC',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,16}$/),
)

const queryKey = fc.oneof(
  fc.constantFrom(
    'limit',
    'cursor',
    'tag',
    'q',
    'after',
    'access_token',
    'access%5Ftoken',
    '__proto__',
    'since',
  ),
  fc.stringMatching(/^[a-z_%0-9]{1,8}$/),
)
const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '1000000', '$note', '%FF', '', 'true'),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9%&=+]{0,12}$/),
)

const header = fc.tuple(
  fc.constantFrom(
    'if-match',
    'if-none-match',
    'idempotency-key',
    'consistency-token',
    'last-event-id',
    'x-request-id',
    'accept',
    'origin',
    'access-control-request-method',
    'content-encoding',
    'x-forwarded-for',
  ),
  fc.oneof(
    fc.constantFrom('"1"', '"2"', '*', 'W/"1"', '$consistency', 'gzip', 'GET', 'https://a.example'),
    printable,
  ),
)

/** Bodies a route would accept, so that random requests also get past validation to the decisions. */
const wellFormed = fc.oneof(
  fc.record({ title: fc.string({ maxLength: 20 }), body: fc.string({ maxLength: 20 }) }),
  fc.record({ title: fc.string({ maxLength: 20 }) }),
  fc.record({ userId: fc.constantFrom('$other', '$user'), permission: fc.constantFrom('read', 'write') }),
  fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), email: fc.constant('$email') }),
)

const body = fc.oneof(
  fc.constant(undefined),
  wellFormed.map((value) => JSON.stringify(value)),
  wellFormed.map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc
    .record(
      {
        title: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
        body: fc.string({ maxLength: 20 }),
        tags: fc.array(fc.oneof(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 5 })), {
          maxLength: 3,
        }),
        userId: fc.oneof(
          fc.constantFrom('$other', '$user', '__proto__', 'a.b', '*'),
          fc.string({ maxLength: 10 }),
        ),
        permission: fc.constantFrom('read', 'write', 'admin'),
        name: fc.string({ maxLength: 20 }),
        email: fc.constantFrom('$email', 'not-an-email', ''),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 30 }),
)

const scenario = fc.record({
  route: fc.nat(),
  method: fc.oneof(
    { weight: 10, arbitrary: fc.constant(undefined) },
    fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'),
  ),
  ids: fc.array(segment, { minLength: 2, maxLength: 2 }),
  query: fc.oneof(
    fc.constant<[string, string][]>([]),
    fc.array(fc.tuple(queryKey, queryValue), { maxLength: 3 }),
  ),
  headers: fc.oneof(fc.constant<[string, string][]>([]), fc.array(header, { maxLength: 3 })),
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'application/json',
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/merge-patch+json',
    'multipart/form-data; boundary=x',
  ),
  body,
  auth: fc.constantFrom('none', 'valid', 'valid', 'valid', 'valid', 'other', 'garbage', 'basic'),
  /** Half the requests carry the body their route takes, so that they get past validation to the decisions. */
  fits: fc.boolean(),
  fitting: fc.record({
    title: fc.string({ maxLength: 20 }),
    body: fc.string({ maxLength: 20 }),
    permission: fc.constantFrom('read', 'write'),
    name: fc.string({ minLength: 1, maxLength: 20 }),
  }),
})

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

const fittingBody = (route: Route, { title, body, permission, name }: Scenario['fitting']) => {
  const bodies: Record<string, object> = {
    'POST /notes': { title, body },
    'PATCH /notes/{id}': { title },
    'POST /notes/{id}/shares': { userId: '$other', permission },
    'POST /users': { name, email: '$email' },
    'PATCH /users/me': { name },
  }
  return bodies[`${route.method} ${route.path}`]
}

const requestOf = (s: Scenario) => {
  const route = routes[s.route % routes.length] as Route
  let index = 0
  const path = route.path.replace(/{[^}]+}/g, () => placeholders(s.ids[index++ % s.ids.length] ?? ''))
  const query = s.query.map(([key, value]) => `${key}=${placeholders(value)}`).join('&')
  const headers: Record<string, string> = {}
  for (const [name, value] of s.headers) headers[name] = placeholders(value)
  const fitting = s.fits ? fittingBody(route, s.fitting) : undefined
  const contentType = fitting === undefined ? s.contentType : 'application/json'
  if (contentType !== undefined) headers['content-type'] = contentType
  const auth = {
    none: undefined,
    valid: `Bearer ${known.token}`,
    other: `Bearer ${known.otherToken}`,
    garbage: `Bearer ${known.user}.not-the-secret`,
    basic: 'Basic dXNlcjpwYXNz',
  }[s.auth]
  if (auth !== undefined) headers.authorization = auth
  return {
    route,
    method: s.method ?? route.method,
    path: query === '' ? path : `${path}?${query}`,
    headers,
    body: placeholders(JSON.stringify(fitting) ?? s.body ?? '') || undefined,
  }
}

beforeAll(async () => {
  system = await startSystem({ consistencyTimeoutMs: 2_000 })
  bases.commands = system.commands.base
  bases.queries = system.queries.base
  routes = [...(await routesOf('commands')), ...(await routesOf('queries'))]
  const other = await registerUser(system.commands)
  known.other = other.id
  known.otherToken = other.token
  await signUp()
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

describe('random requests at every route of both services', () => {
  it('lists every route it fuzzes from the OpenAPI descriptions', () => {
    const listed = routes.map((route) => `${route.service} ${route.method} ${route.path}`)
    expect(listed).toEqual(
      expect.arrayContaining([
        'commands POST /notes',
        'commands DELETE /notes/{id}/shares/{userId}',
        'commands DELETE /users/me',
        'queries GET /notes/{id}/history',
        'queries GET /events',
      ]),
    )
  })

  it('never answer 5xx, answer every error as problem+json, and append nothing when refused', async () => {
    const started = Date.now()
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { route, method, path, headers, body } = requestOf(s)
        const before = await lastSeqs()
        const answer = await send(bases[route.service], method, path, headers, body)
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        const what = `${route.service} ${method} ${path} -> ${answer.status} ${answer.contentType} ${answer.body.slice(0, 300)}`
        if (answer.status >= 500) throw new Error(`a 5xx: ${what}`)
        if (answer.status >= 200 && answer.status < 300) {
          if (answer.consistencyToken !== undefined) known.consistency = answer.consistencyToken
          // A 2xx on one's own account may have rotated or deleted it: start the next run with a fresh user.
          if (path.startsWith('/users/me') && method !== 'GET') await signUp()
          return
        }
        // 304 Not Modified is a cache answer, not an error: it has no body by definition.
        if (answer.status >= 400) {
          if (!answer.contentType.startsWith('application/problem+json'))
            throw new Error(`not problem+json: ${what}`)
          if (method !== 'HEAD') {
            const problem = JSON.parse(answer.body) as { type?: unknown; status?: unknown }
            if (typeof problem.type !== 'string' || !problem.type.startsWith('urn:jetnotes:problem:'))
              throw new Error(`a problem without a jetnotes type: ${what}`)
            if (problem.status !== answer.status) throw new Error(`the problem's status differs: ${what}`)
          }
        }
        const after = await lastSeqs()
        if (after !== before) throw new Error(`a refused request appended (${before} -> ${after}): ${what}`)
      }),
      { seed, numRuns, endOnFailure: true },
    )
    const tally = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`)
    console.info(
      `${numRuns} random requests in ${Date.now() - started} ms (seed ${seed}); ${tally.join(', ')}`,
    )
  }, 60_000)
})
