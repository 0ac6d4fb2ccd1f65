import { randomUUID } from 'node:crypto'
import { CommandHandler, type Event, type EventStore } from '@event-driven-io/emmett'
import {
  CreateNoteBody,
  DomainError,
  decideNote,
  type Emitted,
  evolveNote,
  initialNoteState,
  NoteEvent,
  type NoteState,
  noteAggregate,
} from '@jetnotes/schemas'

/**
 * jetnotes' note decider run by Emmett's CommandHandler: the same decide and evolve (from @jetnotes/schemas),
 * one Emmett stream per note, and events carrying every field a jetnotes event carries. Emmett keeps `type`
 * and `data` apart from `metadata`, so the envelope (id, schema version, note id, version, actor, time,
 * correlation id) goes in the metadata: the stored JSON is the same size as jetnotes'.
 */
type EnvelopeMetadata = {
  id: string
  schemaVersion: number
  aggregateId: string
  version: number
  actor: string
  time: string
  correlationId: string
}
export type EmmettNoteEvent = Event<NoteEvent['type'], NoteEvent['data'], EnvelopeMetadata>

/** An Emmett event (as stored, or as read back with Emmett's own metadata merged in) as jetnotes' event. */
export const toNoteEvent = (event: EmmettNoteEvent): NoteEvent =>
  NoteEvent.parse({ ...event.metadata, type: event.type, data: event.data })

/** A decided event with its envelope, as the command-service's envelopes are built. */
export const toEmmettEvent = (
  emitted: Emitted<NoteEvent>,
  noteId: string,
  version: number,
  actor: string,
): EmmettNoteEvent => ({
  type: emitted.type,
  data: emitted.data,
  metadata: {
    id: randomUUID(),
    schemaVersion: noteAggregate.schemaVersions[emitted.type] ?? 1,
    aggregateId: noteId,
    version,
    actor,
    time: new Date().toISOString(),
    correlationId: randomUUID(),
  },
})

const handle = CommandHandler<NoteState, EmmettNoteEvent>({
  evolve: (state, event) => evolveNote(state, toNoteEvent(event)),
  initialState: () => initialNoteState,
  mapToStreamId: (noteId) => `note-${noteId}`,
})

/**
 * Creates a note as `POST /notes` does, minus HTTP: validates the body, reads the note's stream (Emmett's
 * handler always does), decides, appends expecting the version it read (a second create of the same id loses
 * on PostgreSQL's unique stream row). Resolves with the new note's state.
 */
export const createNote = async (store: EventStore, actor: string, body: unknown) => {
  const fields = CreateNoteBody.parse(body)
  const noteId = randomUUID()
  const result = await handle(store, noteId, (state) => {
    const decision = decideNote(state, { type: 'CreateNote', actor, ...fields })
    if (decision instanceof DomainError) throw decision
    const base = state?.version ?? 0
    return decision.map((emitted, index) => toEmmettEvent(emitted, noteId, base + index + 1, actor))
  })
  return result.newState
}
