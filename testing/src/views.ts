import { defaultNoteDirectorySize, defaultNotePageSize, Generations } from '@jetnotes/projector'
import {
  bucketName,
  type NoteRecord,
  type ProjectionName,
  projections as projectionDefinitions,
  projectionNames,
  type UserRecord,
} from '@jetnotes/schemas'
import { expect } from 'vitest'
import { expectedList, foldNotes, foldUsers, readBucket } from './log-fold.ts'
import { noteListsOf } from './note-lists.ts'
import type { RunningSystem } from './system.ts'

/** The projector's meta data (pointers, positions) read through the test's own connection. */
export const generationsOf = (system: RunningSystem) =>
  Generations.open(system.js, system.jsm, system.replicas, system.logger)

/** Waits until every projection has folded its whole stream. */
export const caughtUp = async (
  system: RunningSystem,
  projections: readonly ProjectionName[] = projectionNames,
) => {
  const generations = await generationsOf(system)
  for (const projection of projections) {
    const { stream } = projectionDefinitions[projection]
    await expect
      .poll(
        async () => {
          const generation = await generations.active(projection)
          if (generation === undefined) return false
          const last = (await system.jsm.streams.info(stream)).state.last_seq
          const position = await generations.position(projection, generation)
          return (position?.seq ?? 0) >= last
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(true)
  }
}

/**
 * Checks that the read models of the active generations equal a pure fold of the log read back from
 * JetStream: every note (deleted ones included, with the position of their last message), every user's note
 * list (read through its pages, whose structure must be sound), and every user. Returns what it compared, and
 * the pages no list names (a crash between a split's writes leaves them; readers never see them).
 */
export const expectViewsEqualFold = async (system: RunningSystem) => {
  const generations = await generationsOf(system)
  const notesGeneration = await generations.active('notes')
  const usersGeneration = await generations.active('users')
  if (notesGeneration === undefined || usersGeneration === undefined) throw new Error('no active generation')
  const { notes, events } = await foldNotes(system.js)
  const users = await foldUsers(system.js)

  const noteRecords = await readBucket<NoteRecord>(system.js, bucketName('notes', notesGeneration))
  expect([...noteRecords.keys()].sort()).toEqual([...notes.keys()].sort())
  for (const [id, note] of notes) {
    expect(noteRecords.get(id)).toEqual({ note, seq: events.get(id)?.at(-1)?.seq })
  }

  const pageSize = system.projectionOptions.notePageSize ?? defaultNotePageSize
  const directorySize = system.projectionOptions.noteDirectorySize ?? defaultNoteDirectorySize
  const { lists, problems, orphans, pages } = noteListsOf(
    await readBucket(system.js, bucketName('note-lists', notesGeneration)),
    { pageSize, directorySize },
  )
  expect(problems).toEqual([])
  for (const userId of users.keys()) {
    expect(lists.get(userId) ?? []).toEqual(expectedList(notes, userId))
  }

  const userRecords = await readBucket<UserRecord>(system.js, bucketName('users', usersGeneration))
  expect(userRecords).toEqual(users)
  return { notes: notes.size, users: users.size, orphans: orphans.length, pages }
}
