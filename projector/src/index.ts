/** @jetnotes/projector: the read-model folds and the machinery to run and rebuild them. */
export { Generations } from './generations.ts'
export { markPosition } from './position-marker.ts'
export { projectionCatalog } from './projections/catalog.ts'
export {
  affectedUsers,
  evolveNoteRecord,
  newestFirst,
  summaryFor,
  withNote,
} from './projections/notes/evolve.ts'
export { PoisonMessageError, type Projection } from './projections/projection.ts'
export { evolveUserRecord } from './projections/users/evolve.ts'
export { type RebuildProgress, type RebuildResult, rebuildProjection } from './rebuild.ts'
export { ProjectionRunner } from './runner.ts'
export { type ProjectionStatus, projectionStatus } from './status.ts'
