import { connect, type Socket } from 'node:net'

/** One HTTP/1.1 response as it came off the wire. */
export type RawResponse = { status: number; headers: Map<string, string>; body: string }

/** Splits what a server wrote on a connection into its responses (each with a Content-Length, as ours have). */
export const parseResponses = (wire: string): RawResponse[] => {
  const responses: RawResponse[] = []
  let rest = wire
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n')
    if (headEnd < 0) throw new Error(`an incomplete response: ${JSON.stringify(rest.slice(0, 200))}`)
    const [statusLine = '', ...lines] = rest.slice(0, headEnd).split('\r\n')
    const headers = new Map(
      lines.map((line) => {
        const colon = line.indexOf(':')
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const
      }),
    )
    const length = Number(headers.get('content-length') ?? 0)
    const bodyStart = headEnd + 4
    responses.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: rest.slice(bodyStart, bodyStart + length),
    })
    rest = rest.slice(bodyStart + length)
  }
  return responses
}

/** A raw TCP connection to a server: write bytes as they are, read everything until the server closes. */
export const rawConnection = async (base: string) => {
  const { hostname, port } = new URL(base)
  const socket: Socket = connect({ host: hostname, port: Number(port) })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
  return {
    write: (bytes: string | Buffer) => new Promise<void>((resolve) => socket.write(bytes, () => resolve())),
    /** Everything the server wrote, once it has closed the connection (a test's timeout catches one that never does). */
    wire: async () => {
      await closed
      return Buffer.concat(chunks).toString('latin1')
    },
    responses: async () => {
      await closed
      return parseResponses(Buffer.concat(chunks).toString('latin1'))
    },
    destroy: () => socket.destroy(),
  }
}

/** Sends raw bytes on a fresh connection and returns the one response the server closes it with. */
export const rawRequest = async (base: string, bytes: string | Buffer) => {
  const connection = await rawConnection(base)
  await connection.write(bytes)
  const responses = await connection.responses()
  if (responses.length !== 1) throw new Error(`expected one response, got ${responses.length}`)
  return responses[0] as RawResponse
}
