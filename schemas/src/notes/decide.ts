import type { Emitted } from '../envelope.ts'
import {
  ConflictError,
  type DomainError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  VersionConflictError,
} from '../errors.ts'
import type { NoteCommand } from './commands.ts'
import type { NoteEvent } from './events.ts'
import { isSharedWith, permissionOf } from './shares.ts'
import { type Access, accessOf, type Note, type NoteState } from './state.ts'

export type NoteDecision = Emitted<NoteEvent>[] | DomainError

/**
 * Decides what a command does to a note: the events to append (none when it changes nothing) or why not.
 * Checks run from the least to the most revealing: a caller who cannot see the note learns only "not found".
 */
export const decideNote = (state: NoteState, command: NoteCommand): NoteDecision => {
  if (command.type === 'CreateNote') {
    if (state !== null) return new ConflictError('A note with this id already exists')
    return [{ type: 'NoteCreated', data: { title: command.title, body: command.body, tags: command.tags } }]
  }

  const access = accessOf(state, command.actor)
  if (state === null || access === 'none') return new NotFoundError('Note not found')
  const refusal = permissionError(command, access)
  if (refusal) return refusal
  if (command.expectedVersion !== undefined && command.expectedVersion !== state.version) {
    return new VersionConflictError(command.expectedVersion, state.version)
  }

  switch (command.type) {
    case 'EditNote': {
      const changes = changedFields(state, command.changes)
      return Object.keys(changes).length === 0 ? [] : [{ type: 'NoteEdited', data: changes }]
    }
    case 'ShareNote': {
      const { userId, permission } = command.share
      if (userId === state.owner) return new UnprocessableError('The owner already has full access', 'userId')
      if (!command.shareeIsActiveUser) return new UnprocessableError('No active user has this id', 'userId')
      if (permissionOf(state.shares, userId) === permission) return []
      return [{ type: 'NoteShared', data: { userId, permission } }]
    }
    case 'UnshareNote':
      if (!isSharedWith(state.shares, command.userId)) return []
      return [{ type: 'NoteUnshared', data: { userId: command.userId } }]
    case 'DeleteNote':
      return [{ type: 'NoteDeleted', data: {} }]
    default: {
      const unknown: never = command
      return unknown
    }
  }
}

/** Editing needs write access; sharing, unsharing and deleting belong to the owner. */
const permissionError = (command: Exclude<NoteCommand, { type: 'CreateNote' }>, access: Access) => {
  if (command.type === 'EditNote') {
    return access === 'read' ? new ForbiddenError('This note is shared with you read-only') : undefined
  }
  if (access === 'owner') return undefined
  const action = { ShareNote: 'share', UnshareNote: 'unshare', DeleteNote: 'delete' }[command.type]
  return new ForbiddenError(`Only the owner can ${action} a note`)
}

const changedFields = (note: Note, changes: { title?: string; body?: string; tags?: string[] }) => {
  const changed: { title?: string; body?: string; tags?: string[] } = {}
  if (changes.title !== undefined && changes.title !== note.title) changed.title = changes.title
  if (changes.body !== undefined && changes.body !== note.body) changed.body = changes.body
  if (changes.tags !== undefined && !sameList(changes.tags, note.tags)) changed.tags = changes.tags
  return changed
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, index) => item === b[index])
