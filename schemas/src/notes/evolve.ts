import type { NoteEvent } from './events.ts'
import { emptyShares, withoutShare, withShare } from './shares.ts'
import type { NoteState } from './state.ts'

/** Folds one note event into the note's state. Pure: everything it needs is in the event. */
export const evolveNote = (state: NoteState, event: NoteEvent): NoteState => {
  switch (event.type) {
    case 'NoteCreated':
      return {
        id: event.aggregateId,
        owner: event.actor,
        title: event.data.title,
        body: event.data.body,
        tags: event.data.tags,
        shares: emptyShares(),
        version: event.version,
        deleted: false,
        createdAt: event.time,
        createdBy: event.actor,
        updatedAt: event.time,
        updatedBy: event.actor,
      }
    case 'NoteEdited':
      if (state === null) return state
      return { ...state, ...definedFields(event.data), ...touched(event) }
    case 'NoteShared':
      if (state === null) return state
      return {
        ...state,
        shares: withShare(state.shares, event.data.userId, event.data.permission),
        ...touched(event),
      }
    case 'NoteUnshared':
      if (state === null) return state
      return { ...state, shares: withoutShare(state.shares, event.data.userId), ...touched(event) }
    case 'NoteDeleted':
      if (state === null) return state
      return { ...state, deleted: true, ...touched(event) }
    default: {
      const unknown: never = event
      return unknown
    }
  }
}

const touched = (event: NoteEvent) => ({
  version: event.version,
  updatedAt: event.time,
  updatedBy: event.actor,
})

const definedFields = <T extends object>(fields: T): Partial<T> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>
