import {
  canRead,
  evolveNote,
  type NoteEvent,
  type NoteState,
  type NoteView,
  shareeIds,
  toNoteView,
} from '@jetnotes/schemas'

/** Where an event is in the log: the message's stream sequence and the event's index inside the message. */
export type Position = { seq: number; index: number }

/**
 * One change as the live stream delivers it. `audience` lists everyone who may receive it: users who can see
 * the note after the change get the note view; users who could see it before but not after (unshared, or the
 * note deleted) get this one last event, with `note: null`, and nothing of the note afterwards.
 */
export type LiveEvent = {
  position: Position
  noteId: string
  type: NoteEvent['type']
  version: number
  actorId: string
  time: string
  /** userId -> whether they can still see the note after this event. */
  audience: ReadonlyMap<string, boolean>
  view: NoteView | null
}

/** The live events of one logged message, and the note state after it. Pure. */
export const toLiveEvents = (
  before: NoteState,
  events: readonly NoteEvent[],
  seq: number,
): { live: LiveEvent[]; after: NoteState } => {
  const live: LiveEvent[] = []
  let state = before
  for (const [index, event] of events.entries()) {
    const previous = state
    state = evolveNote(state, event)
    if (state === null) continue
    const audience = new Map<string, boolean>()
    for (const userId of candidates(previous, state)) {
      const after = canRead(state, userId)
      if (after || canRead(previous, userId)) audience.set(userId, after)
    }
    live.push({
      position: { seq, index },
      noteId: event.aggregateId,
      type: event.type,
      version: event.version,
      actorId: event.actor,
      time: event.time,
      audience,
      view: state.deleted ? null : toNoteView(state),
    })
  }
  return { live, after: state }
}

/** Everyone who could see the note before or after: its owner and its sharees on either side. */
const candidates = (before: NoteState, after: NonNullable<NoteState>) =>
  new Set([after.owner, ...shareeIds(after.shares), ...(before === null ? [] : shareeIds(before.shares))])

/** The SSE `id` of a position: `<seq>`, or `<seq>-<index>` for the second and later events of a message. */
export const formatEventId = ({ seq, index }: Position) => (index === 0 ? String(seq) : `${seq}-${index}`)

/** The position a `Last-Event-ID` names, or undefined when it is not one of ours. */
export const parseEventId = (id: string): Position | undefined => {
  const match = /^(\d{1,16})(?:-(\d{1,6}))?$/.exec(id.trim())
  if (match === null) return undefined
  return { seq: Number(match[1]), index: Number(match[2] ?? 0) }
}

/** Whether position a comes after position b. */
export const isAfter = (a: Position, b: Position) => a.seq > b.seq || (a.seq === b.seq && a.index > b.index)
