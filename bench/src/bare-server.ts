import Fastify from 'fastify'

/**
 * The read ceiling: a bare Fastify app, in a process of its own like the query-service, whose one route
 * returns a constant JSON object the size of a note view (BARE_BODY). No auth, no KV, no validation.
 */
const body: unknown = JSON.parse(process.env.BARE_BODY ?? '{}')
const app = Fastify({ logger: false })
app.get('/notes/:id', async () => body)
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })
process.on('disconnect', () => void app.close().then(() => process.exit(0)))
