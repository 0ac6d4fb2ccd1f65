import { noteAggregate } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'

/**
 * The raw ceilings publish to a stream of their own, configured exactly as NOTES (file storage, duplicate
 * window, limits), so the projector and the live hub do not fold them and the ceiling measures JetStream alone.
 */
export const ceilingStream = async (jsm: JetStreamManager) => {
  const { config } = await jsm.streams.info(noteAggregate.stream)
  await jsm.streams.add({ ...config, name: 'BENCH_CEILING', subjects: ['bench.>'] })
  return { subject: (id: string) => `bench.notes.${id}` }
}

/** A NoteCreated envelope as the command-service appends it (same fields, same size). */
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

/** A NoteEdited envelope as the command-service appends it. */
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
