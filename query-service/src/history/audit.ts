import { refusalOf } from '@jetnotes/platform'
import { evolveNote, type Note, type NoteEvent, type NoteState, permissionOf } from '@jetnotes/schemas'

/** The events of one message of a note's subject, and its stream sequence. */
export type LoggedCommit = { seq: number; events: readonly NoteEvent[] }

export type FieldChange = { field: string; before: unknown; after: unknown }

/** One audited change, before the actor's name is looked up. */
export type AuditRecord = {
  version: number
  position: number
  type: NoteEvent['type']
  actorId: string
  time: string
  /** What the event would change (a refused one changes nothing: this is what it tried). */
  changes: FieldChange[]
  refused: boolean
  /** Why the commit was refused: it did not carry the note's next version (see `refusalOf`). */
  reason?: string
}

/**
 * The audit trail of a note: every event in order, with each changed field's value before and after it. The
 * events of a commit that the rule of the next version refuses are listed where they are in the log, marked as
 * refused, and folded into nothing (the next entries' "before" values ignore them), as every view does.
 */
export const auditTrail = (commits: readonly LoggedCommit[]): AuditRecord[] => {
  const trail: AuditRecord[] = []
  let state: NoteState = null
  for (const { seq, events } of commits) {
    const reason = refusalOf(state, events)
    let next: NoteState = state
    for (const event of events) {
      trail.push({
        version: event.version,
        position: seq,
        type: event.type,
        actorId: event.actor,
        time: event.time,
        changes: changesOf(next, event),
        ...(reason === undefined ? { refused: false } : { refused: true, reason }),
      })
      next = evolveNote(next, event)
    }
    if (reason === undefined) state = next
  }
  return trail
}

/** The note as it was right after the event with this version, or undefined if it has no such version. */
export const noteAtVersion = (commits: readonly LoggedCommit[], version: number): Note | undefined => {
  let state: NoteState = null
  for (const { events } of commits) {
    if (refusalOf(state, events) !== undefined) continue
    for (const event of events) {
      state = evolveNote(state, event)
      if (event.version === version) return state ?? undefined
    }
  }
  return undefined
}

const changesOf = (before: NoteState, event: NoteEvent): FieldChange[] => {
  switch (event.type) {
    case 'NoteCreated':
      return [
        { field: 'title', before: null, after: event.data.title },
        { field: 'body', before: null, after: event.data.body },
        { field: 'tags', before: null, after: event.data.tags },
      ]
    case 'NoteEdited':
      return (['title', 'body', 'tags'] as const)
        .filter((field) => event.data[field] !== undefined)
        .map((field) => ({ field, before: before?.[field] ?? null, after: event.data[field] }))
    case 'NoteShared':
      return [
        {
          field: `shares.${event.data.userId}`,
          before: shareBefore(before, event.data.userId),
          after: event.data.permission,
        },
      ]
    case 'NoteUnshared':
      return [
        {
          field: `shares.${event.data.userId}`,
          before: shareBefore(before, event.data.userId),
          after: null,
        },
      ]
    case 'NoteDeleted':
      return [{ field: 'deleted', before: false, after: true }]
    default: {
      const unknown: never = event
      return unknown
    }
  }
}

const shareBefore = (before: NoteState, userId: string) =>
  before === null ? null : (permissionOf(before.shares, userId) ?? null)
