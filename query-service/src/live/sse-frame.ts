/**
 * One Server-Sent Events message in its wire form, encoded once and written as it is to every connection that
 * gets it: 10,000 recipients cost 10,000 writes of the same bytes, not 10,000 serialisations.
 *
 * `chunked` is the message as one HTTP/1.1 chunk (`<size in hex>\r\n<message>\r\n`), what a response of unknown
 * length is made of, so a connection writes it to its socket in one call, with no framing added per write;
 * `plain` is the message alone (a view of the same memory), for a response that is not chunked (HTTP/1.0).
 */
export type SseFrame = { readonly chunked: Buffer; readonly plain: Buffer }

const frameOf = (message: string): SseFrame => {
  const size = Buffer.byteLength(message)
  const head = `${size.toString(16)}\r\n`
  const chunked = Buffer.from(`${head}${message}\r\n`)
  return { chunked, plain: chunked.subarray(head.length, head.length + size) }
}

/**
 * An event message. `data` must be one line (a JSON text is: it escapes its line breaks), so it is sent as one
 * `data:` field.
 */
export const eventFrame = (id: string, event: string, data: string): SseFrame => {
  if (data.includes('\n') || data.includes('\r')) throw new Error('an SSE data line cannot hold a line break')
  return frameOf(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`)
}

/** A comment line: clients ignore it; proxies see bytes on an idle connection. */
export const commentFrame = (text: string): SseFrame => frameOf(`: ${text}\n\n`)

/** The bytes a frame takes in memory (its history is bounded by them). */
export const frameBytes = (frame: SseFrame) => frame.chunked.length
