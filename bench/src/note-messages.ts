import { noteAggregate } from '@jetnotes/schemas'

/**
 * Note commits as the command-service appends them (same fields, same size): what the raw ceilings publish, and
 * what seeding publishes straight to NOTES when a path needs more notes than POST /notes can create in time.
 */

/** A NoteCreated commit: the note is owned by `actor`. */
export const noteCreatedMessage = (noteId: string, actor: string, note: object) =>
  JSON.stringify({
    events: [
      {
        id: crypto.randomUUID(),
        type: 'NoteCreated',
        schemaVersion: noteAggregate.schemaVersions.NoteCreated,
        aggregateId: noteId,
        version: 1,
        actor,
        time: new Date().toISOString(),
        correlationId: crypto.randomUUID(),
        data: note,
      },
    ],
  })

/** A NoteEdited commit. */
export const noteEditedMessage = (noteId: string, actor: string, version: number, body: string) =>
  JSON.stringify({
    events: [
      {
        id: crypto.randomUUID(),
        type: 'NoteEdited',
        schemaVersion: noteAggregate.schemaVersions.NoteEdited,
        aggregateId: noteId,
        version,
        actor,
        time: new Date().toISOString(),
        correlationId: crypto.randomUUID(),
        data: { body },
      },
    ],
  })
