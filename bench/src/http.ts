import { Pool } from 'undici'

export type Reply = { status: number; etag: string | undefined; body: Record<string, unknown> }

/**
 * An HTTP/1.1 client with a fixed pool of keep-alive connections (undici): the load generator for every
 * HTTP path, and for the bare Fastify ceiling alike.
 */
export const httpClient = (origin: string, connections: number) => {
  const pool = new Pool(origin, { connections, pipelining: 1 })
  const send = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await pool.request({
      method,
      path,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    })
    const text = await response.body.text()
    const etag = response.headers.etag
    return {
      status: response.statusCode,
      etag: typeof etag === 'string' ? etag : undefined,
      body: text === '' ? {} : JSON.parse(text),
    }
  }
  return {
    send,
    /** Expects `status`; anything else stops the benchmark with what came back. */
    expect: async (status: number, ...args: Parameters<typeof send>) => {
      const reply = await send(...args)
      if (reply.status !== status) {
        throw new Error(`${args[0]} ${args[1]}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`)
      }
      return reply
    },
    close: () => pool.close(),
  }
}

export type HttpClient = ReturnType<typeof httpClient>

/** Registers a user and returns its id and token. */
export const registerUser = async (commands: HttpClient, name: string) => {
  const reply = await commands.expect(201, 'POST', '/users', {
    body: { name, email: `${name.replaceAll(' ', '-')}-${process.pid}-${Date.now()}@bench.example` },
  })
  return { id: reply.body.id as string, token: reply.body.token as string }
}
