import type { ProjectionName } from '@jetnotes/schemas'
import { notesProjection } from './notes/projection.ts'
import type { Projection } from './projection.ts'
import { usersProjection } from './users/projection.ts'

/** Every projection the projector runs, by name. */
export const projectionCatalog: Readonly<Record<ProjectionName, Projection>> = {
  notes: notesProjection,
  users: usersProjection,
}
