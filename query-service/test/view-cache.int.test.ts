import { type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let system: RunningSystem
beforeAll(async () => {
  system = await startSystem()
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

describe('reads without a Consistency-Token', () => {
  it('are served from the watched cache: reading a note again costs no NATS round trip', async () => {
    const { commands, queries, queryNc } = system
    const owner = await registerUser(commands)
    const created = await commands.post('/notes', { title: 'Cached', body: '' }, { token: owner.token })
    const id = created.body.id as string
    const consistencyToken = created.headers.get('consistency-token') ?? ''
    expect(
      (
        await queries.get(`/notes/${id}`, {
          token: owner.token,
          headers: { 'consistency-token': consistencyToken },
        })
      ).status,
    ).toBe(200)
    const read = async (path: string) =>
      expect((await queries.get(path, { token: owner.token })).status).toBe(200)
    await read(`/notes/${id}`)
    await read('/notes')
    const sent = queryNc.stats().outMsgs
    for (let i = 0; i < 200; i++) {
      await read(`/notes/${id}`)
      await read('/notes')
    }
    // 400 reads; the only messages sent meanwhile are the consumers' own (pull requests, heartbeats).
    expect(queryNc.stats().outMsgs - sent).toBeLessThan(20)
  })
})
