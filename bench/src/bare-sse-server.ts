import { createServer, type ServerResponse } from 'node:http'

/**
 * The live fan-out ceiling: a bare Node HTTP server, in a process of its own like the query-service. Every
 * `GET /events` is an open event stream; each `POST /broadcast` is answered at once, then its body is encoded
 * once as an SSE message and written to every open stream in one loop. No auth, no log, no hub, no
 * backpressure: what delivering one message to N sockets costs on this machine.
 */
const streams = new Set<ServerResponse>()
const server = createServer((request, response) => {
  if (request.method === 'POST') {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      response.writeHead(204).end()
      const message = Buffer.from(`data: ${Buffer.concat(chunks).toString()}\n\n`)
      setImmediate(() => {
        for (const stream of streams) stream.write(message)
      })
    })
    return
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  response.write(': open\n\n')
  streams.add(response)
  response.once('close', () => streams.delete(response))
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })
})
process.on('disconnect', () => {
  for (const stream of streams) stream.destroy()
  server.close(() => process.exit(0))
})
