import { isDeepStrictEqual } from 'node:util'
import { defaultNoteDirectorySize, defaultNotePageSize, Generations } from '@jetnotes/projector'
import {
  bucketName,
  type NoteRecord,
  type ProjectionName,
  projections as projectionDefinitions,
  projectionNames,
  type UserRecord,
} from '@jetnotes/schemas'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import { expect } from 'vitest'
import { expectedList, foldNotes, foldUsers, readBucket } from './log-fold.ts'
import { noteListsOf } from './note-lists.ts'

/**
 * Where the views and the log are read from: a running system's operator connection (`RunningSystem` is one),
 * or any other system's, such as the soak's, and the page sizes its projector runs with.
 */
export type ViewSources = {
  js: JetStreamClient
  jsm: JetStreamManager
  logger: Logger
  projectionOptions: { notePageSize?: number; noteDirectorySize?: number }
  /** The replicas of the projector's buckets (opening them with another count would change it); default 1. */
  replicas?: number
}

/** The projector's meta data (pointers, positions) read through the test's own connection. */
export const generationsOf = (system: ViewSources) =>
  Generations.open(system.js, system.jsm, system.replicas ?? 1, system.logger)

/** The projections that have not yet folded their whole stream (none active counts as behind). */
export const projectionsBehind = async (
  system: ViewSources,
  projections: readonly ProjectionName[] = projectionNames,
) => {
  const generations = await generationsOf(system)
  const behind: ProjectionName[] = []
  for (const projection of projections) {
    const generation = await generations.active(projection)
    const last = (await system.jsm.streams.info(projectionDefinitions[projection].stream)).state.last_seq
    const position = generation === undefined ? undefined : await generations.position(projection, generation)
    if (generation === undefined || (position?.seq ?? 0) < last) behind.push(projection)
  }
  return behind
}

/** Waits until every projection has folded its whole stream. */
export const caughtUp = async (
  system: ViewSources,
  projections: readonly ProjectionName[] = projectionNames,
) => {
  await expect
    .poll(() => projectionsBehind(system, projections), { timeout: 30_000, interval: 100 })
    .toEqual([])
}

/** A value as a view stores it (JSON): what a fold says and what a bucket holds compare alike. */
const asStored = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value))

/** At most this much of each value in a difference's description: enough to see what differs. */
const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'nothing'
  return text.length > 300 ? `${text.slice(0, 300)}...` : text
}

/**
 * Compares the read models of the active generations with a pure fold of the log read back from JetStream:
 * every note (deleted ones included, with the position of their last message), every user's note list (read
 * through its pages, whose structure must be sound), and every user. Returns every difference found, described
 * (none when the views equal the fold), what it compared, and the pages no list names (a crash between a
 * split's writes leaves them; readers never see them).
 */
export const viewDifferences = async (system: ViewSources) => {
  const differences: string[] = []
  const differ = (what: string, expected: unknown, actual: unknown) => {
    if (!isDeepStrictEqual(asStored(actual), asStored(expected)))
      differences.push(`${what}: expected ${shown(expected)}, the view has ${shown(actual)}`)
  }
  const generations = await generationsOf(system)
  const notesGeneration = await generations.active('notes')
  const usersGeneration = await generations.active('users')
  if (notesGeneration === undefined || usersGeneration === undefined) throw new Error('no active generation')
  const { notes, events } = await foldNotes(system.js)
  const users = await foldUsers(system.js)

  const noteRecords = await readBucket<NoteRecord>(system.js, bucketName('notes', notesGeneration))
  for (const id of noteRecords.keys()) if (!notes.has(id)) differences.push(`notes: ${id} is not in the log`)
  for (const [id, note] of notes) {
    differ(`notes: ${id}`, { note, seq: events.get(id)?.at(-1)?.seq }, noteRecords.get(id))
  }

  const pageSize = system.projectionOptions.notePageSize ?? defaultNotePageSize
  const directorySize = system.projectionOptions.noteDirectorySize ?? defaultNoteDirectorySize
  const { lists, problems, orphans, pages } = noteListsOf(
    await readBucket(system.js, bucketName('note-lists', notesGeneration)),
    { pageSize, directorySize },
  )
  differences.push(...problems.map((problem) => `note-lists: ${problem}`))
  for (const userId of users.keys()) {
    differ(`note-lists: ${userId}`, expectedList(notes, userId), lists.get(userId) ?? [])
  }

  const userRecords = await readBucket<UserRecord>(system.js, bucketName('users', usersGeneration))
  for (const id of userRecords.keys()) if (!users.has(id)) differences.push(`users: ${id} is not in the log`)
  for (const [id, user] of users) differ(`users: ${id}`, user, userRecords.get(id))
  return { differences, notes: notes.size, users: users.size, orphans: orphans.length, pages }
}

/**
 * Checks that the read models of the active generations equal a pure fold of the log (see viewDifferences).
 * Returns what it compared, and the pages no list names.
 */
export const expectViewsEqualFold = async (system: ViewSources) => {
  const { differences, ...compared } = await viewDifferences(system)
  expect(differences).toEqual([])
  return compared
}
