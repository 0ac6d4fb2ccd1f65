import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Valid ids (`[A-Za-z0-9_-]`) that name what every plain object inherits: to the API they are unknown users.
const inheritedNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']

let system: RunningSystem
let ann: { id: string; token: string }
let bob: { id: string; token: string }

beforeAll(async () => {
  system = await startSystem()
  ann = await registerUser(system.commands, 'Ann')
  bob = await registerUser(system.commands, 'Bob')
})
afterAll(async () => {
  await system?.[Symbol.asyncDispose]()
})

/** Messages on the note's subject: what "appends nothing" is measured by. */
const messagesOf = async (noteId: string) => {
  const subject = `notes.${noteId}`
  const info = await system.jsm.streams.info('NOTES', { subjects_filter: subject })
  return info.state.subjects?.[subject] ?? 0
}

describe('user ids named like inherited object properties', () => {
  it.each(inheritedNames)('unsharing %s again and again answers 204 and appends nothing', async (userId) => {
    const noteId = await createNote(system.commands, ann.token)
    const before = await messagesOf(noteId)
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await system.commands.delete(`/notes/${noteId}/shares/${userId}`, { token: ann.token })
      expect(reply.status).toBe(204)
    }
    expect(await messagesOf(noteId)).toBe(before)
  })

  it.each(inheritedNames)('sharing with %s is refused as an unknown user (422)', async (userId) => {
    const noteId = await createNote(system.commands, ann.token)
    const before = await messagesOf(noteId)
    const reply = await system.commands.post(
      `/notes/${noteId}/shares`,
      { userId, permission: 'write' },
      { token: ann.token },
    )
    expect(reply.status).toBe(422)
    expect(reply.headers.get('content-type')).toContain('application/problem+json')
    expect(reply.body).toMatchObject({ type: 'urn:jetnotes:problem:unprocessable', status: 422 })
    expect(await messagesOf(noteId)).toBe(before)
  })

  it("leaves the note's shares and history with only the real share and unshare", async () => {
    const noteId = await createNote(system.commands, ann.token)
    const share = await system.commands.post(
      `/notes/${noteId}/shares`,
      { userId: bob.id, permission: 'read' },
      { token: ann.token },
    )
    expect(share.body.shares).toEqual([{ userId: bob.id, permission: 'read' }])
    for (const userId of inheritedNames) {
      await system.commands.delete(`/notes/${noteId}/shares/${userId}`, { token: ann.token })
      await system.commands.post(
        `/notes/${noteId}/shares`,
        { userId, permission: 'read' },
        { token: ann.token },
      )
      await system.commands.delete(`/notes/${noteId}/shares/${userId}`, { token: ann.token })
    }
    const unshare = await system.commands.delete(`/notes/${noteId}/shares/${bob.id}`, { token: ann.token })
    expect(unshare.status).toBe(204)
    const headers = { 'consistency-token': unshare.headers.get('consistency-token') ?? '' }

    const history = await system.queries.get(`/notes/${noteId}/history`, { token: ann.token, headers })
    expect(history.status).toBe(200)
    const items = history.body.items as { type: string; changes: { field: string }[] }[]
    expect(items.map((item) => item.type)).toEqual(['NoteCreated', 'NoteShared', 'NoteUnshared'])
    expect(items.flatMap((item) => item.changes.map((change) => change.field))).toEqual([
      'title',
      'body',
      'tags',
      `shares.${bob.id}`,
      `shares.${bob.id}`,
    ])
    const note = await system.queries.get(`/notes/${noteId}`, { token: ann.token, headers })
    expect(note.body.shares).toEqual([])
  })
})
