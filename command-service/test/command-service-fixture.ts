import { startNatsServer } from '@jetnotes/testing'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { pino } from 'pino'
import { buildCommandApp } from '../src/app.ts'
import { openCommandContext } from '../src/context.ts'

export type Reply = {
  status: number
  headers: Headers
  body: Record<string, unknown> & { [key: string]: unknown }
}

/** A tiny HTTP client for the tests: JSON in, JSON out, real sockets. */
export const httpClient = (base: string) => {
  const send = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined = options.rawBody
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await fetch(`${base}${path}`, { method, headers, body })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) }
  }
  return {
    base,
    send,
    post: (path: string, body?: unknown, options: Parameters<typeof send>[2] = {}) =>
      send('POST', path, { ...options, body }),
    patch: (path: string, body?: unknown, options: Parameters<typeof send>[2] = {}) =>
      send('PATCH', path, { ...options, body }),
    delete: (path: string, options: Parameters<typeof send>[2] = {}) => send('DELETE', path, options),
    get: (path: string, options: Parameters<typeof send>[2] = {}) => send('GET', path, options),
  }
}

export type HttpClient = ReturnType<typeof httpClient>

/** A command-service on a real socket, in this process, against the given NATS server. */
export const startCommandApp = async (natsUrl: string) => {
  const logger = pino({ level: 'silent' })
  const nc = await connect({ servers: natsUrl })
  const context = await openCommandContext(nc, { replicas: 1 }, logger)
  const app = await buildCommandApp(context, logger)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    nc,
    context,
    api: httpClient(`http://127.0.0.1:${address.port}`),
    close: async () => {
      await app.close()
      context.close()
      await nc.close()
    },
  }
}

/** A nats-server in a temp dir and a command-service on it; `await using` tears both down. */
export const startCommandService = async () => {
  const nats = await startNatsServer()
  const service = await startCommandApp(nats.url)
  const jsm = await jetstreamManager(service.nc)
  return {
    nats,
    ...service,
    jsm,
    /** Messages in a stream: the assertion behind "nothing was appended". */
    messageCount: async (stream: 'NOTES' | 'USERS') => (await jsm.streams.info(stream)).state.messages,
    /** Messages on one aggregate's subject. */
    subjectCount: async (stream: 'NOTES' | 'USERS', subject: string) => {
      const info = await jsm.streams.info(stream, { subjects_filter: subject })
      return info.state.subjects?.[subject] ?? 0
    },
    async [Symbol.asyncDispose]() {
      await service.close()
      await nats[Symbol.asyncDispose]()
    },
  }
}

export type CommandService = Awaited<ReturnType<typeof startCommandService>>

let registered = 0

/** Registers a user and returns their id and token. */
export const registerUser = async (api: HttpClient, name = `User ${++registered}`) => {
  const reply = await api.post('/users', { name, email: `user-${registered}-${Date.now()}@example.com` })
  if (reply.status !== 201)
    throw new Error(`registration failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return { id: reply.body.id as string, token: reply.body.token as string, name }
}

/** Creates a note as the given user and returns its id. */
export const createNote = async (api: HttpClient, token: string, note: Record<string, unknown> = {}) => {
  const reply = await api.post('/notes', { title: 'A note', body: 'Its body', ...note }, { token })
  if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body.id as string
}

export type { NatsConnection }
