import type { ProjectionName } from '@jetnotes/schemas'
import {
  defaultNoteDirectorySize,
  defaultNotePageSize,
  type NotesProjectionOptions,
  notesProjection,
} from './notes/projection.ts'
import type { Projection } from './projection.ts'
import { usersProjection } from './users/projection.ts'

export type ProjectionOptions = NotesProjectionOptions

/** Every projection the projector runs, by name, with these settings. */
export const projectionsWith = (
  options: Partial<ProjectionOptions> = {},
): Readonly<Record<ProjectionName, Projection>> => ({
  notes: notesProjection({
    notePageSize: options.notePageSize ?? defaultNotePageSize,
    noteDirectorySize: options.noteDirectorySize ?? defaultNoteDirectorySize,
  }),
  users: usersProjection,
})

/** Every projection with the default settings. */
export const projectionCatalog = projectionsWith()
