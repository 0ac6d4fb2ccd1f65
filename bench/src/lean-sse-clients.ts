import { connect, type Socket } from 'node:net'

const versionField = Buffer.from('"version":')
const headersEnd = Buffer.from('\r\n\r\n')
const ok = Buffer.from('HTTP/1.1 200 ')
const zero = 0x30
const nine = 0x39

/**
 * Many SSE clients of one stream in one process, lean enough that the load generator is not what limits the
 * figure at 10,000 connections: a raw socket each (no HTTP client, no EventSource, no per-message parse of
 * JSON), and for every message only the bytes after `"version":` are read. Every number after that field is
 * the note's version (the message's own and its note view's agree), which is all the fan-out path times:
 * `arrivals[client][version - firstVersion]` holds when that client first saw it (performance.now()).
 */
export class LeanSseClients {
  readonly #sockets: Socket[] = []
  /** One row per client: when each version arrived (NaN: not yet). */
  readonly arrivals: Float64Array[] = []

  constructor(
    private readonly url: URL,
    private readonly firstVersion: number,
    private readonly versions: number,
  ) {}

  /** Opens one more client with this token; resolves once the server has answered 200 with its headers. */
  open(token: string): Promise<void> {
    const received = new Float64Array(this.versions).fill(Number.NaN)
    this.arrivals.push(received)
    const { firstVersion, versions } = this
    return new Promise((resolve, reject) => {
      const socket = connect(Number(this.url.port), this.url.hostname)
      this.#sockets.push(socket)
      socket.setNoDelay(true)
      let answered = false
      /** The bytes of the last read that may be the start of a field the next read completes. */
      let carried: Buffer | undefined
      socket.once('connect', () =>
        socket.write(
          `GET ${this.url.pathname} HTTP/1.1\r\nHost: ${this.url.host}\r\nAccept: text/event-stream\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n`,
        ),
      )
      socket.on('data', (chunk: Buffer) => {
        const now = performance.now()
        let bytes = carried === undefined ? chunk : Buffer.concat([carried, chunk])
        carried = undefined
        if (!answered) {
          const end = bytes.indexOf(headersEnd)
          if (end < 0) {
            carried = bytes
            return
          }
          if (bytes.compare(ok, 0, ok.length, 0, ok.length) !== 0) {
            reject(new Error(`SSE answered ${bytes.subarray(0, 40).toString('latin1').split('\r\n')[0]}`))
            socket.destroy()
            return
          }
          answered = true
          resolve()
          bytes = bytes.subarray(end + headersEnd.length)
        }
        let from = 0
        for (;;) {
          const at = bytes.indexOf(versionField, from)
          if (at < 0) {
            // A field cut in two by the read: its start comes again with the next bytes.
            const tail = Math.max(from, bytes.length - versionField.length + 1)
            if (tail < bytes.length) carried = Buffer.from(bytes.subarray(tail))
            return
          }
          let position = at + versionField.length
          let version = 0
          while (position < bytes.length) {
            const byte = bytes[position] as number
            if (byte < zero || byte > nine) break
            version = version * 10 + byte - zero
            position++
          }
          if (position === bytes.length) {
            // The number may go on in the next read.
            carried = Buffer.from(bytes.subarray(at))
            return
          }
          const slot = version - firstVersion
          if (slot >= 0 && slot < versions && Number.isNaN(received[slot])) received[slot] = now
          from = position
        }
      })
      socket.once('error', (error) => {
        if (!answered) reject(error)
      })
    })
  }

  /** Whether every client has received every version. */
  complete(): boolean {
    return this.arrivals.every((received) => received.every((at) => !Number.isNaN(at)))
  }

  close(): void {
    for (const socket of this.#sockets) socket.destroy()
  }
}
