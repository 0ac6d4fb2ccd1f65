import { evolveNote, type Note, type NoteEvent, type NoteState, permissionOf } from '@jetnotes/schemas'

/** A note event and the stream sequence of the message it was appended in. */
export type LoggedNoteEvent = { seq: number; event: NoteEvent }

export type FieldChange = { field: string; before: unknown; after: unknown }

/** One audited change, before the actor's name is looked up. */
export type AuditRecord = {
  version: number
  position: number
  type: NoteEvent['type']
  actorId: string
  time: string
  changes: FieldChange[]
}

/** The audit trail of a note: every event in order, with each changed field's value before and after it. */
export const auditTrail = (events: readonly LoggedNoteEvent[]): AuditRecord[] => {
  const trail: AuditRecord[] = []
  let state: NoteState = null
  for (const { seq, event } of events) {
    trail.push({
      version: event.version,
      position: seq,
      type: event.type,
      actorId: event.actor,
      time: event.time,
      changes: changesOf(state, event),
    })
    state = evolveNote(state, event)
  }
  return trail
}

/** The note as it was right after the event with this version, or undefined if it has no such version. */
export const noteAtVersion = (events: readonly LoggedNoteEvent[], version: number): Note | undefined => {
  let state: NoteState = null
  for (const { event } of events) {
    state = evolveNote(state, event)
    if (event.version === version) return state ?? undefined
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
