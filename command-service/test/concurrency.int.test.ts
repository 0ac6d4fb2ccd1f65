import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CommandService,
  createNote,
  registerUser,
  startCommandApp,
  startCommandService,
} from './command-service-fixture.ts'

let service: CommandService
beforeAll(async () => {
  service = await startCommandService()
})
afterAll(async () => {
  await service?.[Symbol.asyncDispose]()
})

describe('50 concurrent edits with the same If-Match', () => {
  it('let exactly one through (200); the rest get 412; one event is appended', async () => {
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        service.api.patch(
          `/notes/${id}`,
          { body: `edit ${i}` },
          { token: ann.token, headers: { 'if-match': '"1"' } },
        ),
      ),
    )
    const statuses = replies.map((reply) => reply.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 412)).toHaveLength(49)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(2)
  })
})

describe('two command-service processes writing to the same note', () => {
  it('still let exactly one of the same-version edits through: the server checks the sequence', async () => {
    await using other = await (async () => {
      const second = await startCommandApp(service.nats)
      return { ...second, [Symbol.asyncDispose]: second.close }
    })()
    const ann = await registerUser(service.api)
    const id = await createNote(service.api, ann.token)
    // Warm both caches at version 1, so neither knows about the other's write.
    await service.api.patch(
      `/notes/${id}`,
      { body: 'x' },
      { token: ann.token, headers: { 'if-match': '"7"' } },
    )
    await other.api.patch(`/notes/${id}`, { body: 'x' }, { token: ann.token, headers: { 'if-match': '"7"' } })

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? service.api : other.api).patch(
          `/notes/${id}`,
          { body: `edit ${i}` },
          { token: ann.token, headers: { 'if-match': '"1"' } },
        ),
      ),
    )
    const statuses = replies.map((reply) => reply.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 412)).toHaveLength(19)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(2)

    // Without If-Match, edits through both processes all land, in some order, none lost.
    const unconditional = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? service.api : other.api).patch(
          `/notes/${id}`,
          { body: `free ${i}` },
          { token: ann.token },
        ),
      ),
    )
    expect(unconditional.every((reply) => reply.status === 200)).toBe(true)
    expect(await service.subjectCount('NOTES', `notes.${id}`)).toBe(12)
  })
})
