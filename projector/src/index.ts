/** @jetnotes/projector: the read-model folds and the machinery to run and rebuild them. */
export { buildProjectorApp } from './app.ts'
export { Generations } from './generations.ts'
export { type ProjectorMetrics, projectorMetrics, upgradeRatio } from './metrics.ts'
export { markPosition } from './position-marker.ts'
export { type ProjectionOptions, projectionCatalog, projectionsWith } from './projections/catalog.ts'
export { affectedUsers, evolveNoteRecord, summaryFor } from './projections/notes/evolve.ts'
export {
  applyToNoteList,
  type ListChange,
  minimumFill,
  type NoteListSizes,
  type NoteListStore,
  noteListKeyOf,
  noteListWrites,
} from './projections/notes/note-list.ts'
export { defaultNoteDirectorySize, defaultNotePageSize } from './projections/notes/projection.ts'
export type { Projection } from './projections/projection.ts'
export { evolveUserRecord } from './projections/users/evolve.ts'
export type { ProjectorDeps } from './projector-deps.ts'
export { type RebuildResult, rebuildProjection } from './rebuild.ts'
export type { RebuildProgress } from './rebuild-progress.ts'
export { ProjectionRunner, type RunnerOptions } from './runner.ts'
export {
  defaultLeaseMs,
  type ProjectorOptions,
  type RunningProjector,
  startProjector,
  type TurnState,
} from './start-projector.ts'
export { type ProjectionStatus, projectionStatus } from './status.ts'
export { LostRace, ViewStore } from './view-store.ts'
