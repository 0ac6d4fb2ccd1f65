import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import { type Problem, problem } from './problem-details.ts'

/** An error Node's HTTP parser (or its timeouts) reports before any request exists. */
export type ClientError = Error & { code?: string; rawPacket?: unknown }

/** What a request the parser refused gets back: the problem it has, by the parser's error code. */
export const clientErrorProblem = (error: ClientError): Problem => {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      // Node's limit counts the request line too, so an over-long URL ends up here as well.
      return problem(
        'headers-too-large',
        431,
        'The request line and headers exceed the size this server accepts',
      )
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request-timeout', 408, 'The request did not arrive in time')
    default:
      return problem(
        'malformed-request',
        400,
        `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`,
      )
  }
}

/**
 * The whole HTTP/1.1 response for a problem, as bytes go on the wire; the connection closes after it. The answer
 * to a HEAD has the same headers and no body (a client would read the body as the next response).
 */
export const rawProblemResponse = (body: Problem, { head = false } = {}) => {
  const json = JSON.stringify(body)
  return [
    `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? 'Error'}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Connection: close',
    '',
    head ? '' : json,
  ].join('\r\n')
}

/** Whether the bytes the parser choked on are a HEAD request (the only method it could still tell). */
const isHead = (error: ClientError) =>
  Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD '

/** A client that never closes its end must not hold the socket (and a graceful shutdown) forever. */
const lingerMs = 5_000

/**
 * Answers a request Node's HTTP parser refused (Fastify's `clientErrorHandler`): there is no request or reply
 * object, so the problem is written on the raw socket. `end` rather than `destroy`: a destroyed socket with
 * unread input resets the connection, and the client may never see the response.
 */
export const answerClientError = (error: ClientError, socket: Socket, logger: FastifyBaseLogger) => {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  logger.debug({ err: error }, 'refused a request the HTTP parser could not read')
  // A response to an earlier request on this connection is under way: a second status line would corrupt it.
  const underway = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (!socket.writable || underway?.headersSent === true) {
    socket.destroy()
    return
  }
  socket.end(rawProblemResponse(clientErrorProblem(error), { head: isHead(error) }))
  setTimeout(() => socket.destroy(), lingerMs).unref()
}
