/**
 * @jetnotes/schemas: the domain contract shared by every service. Events, commands and views (zod), subject
 * and stream names, and the pure deciders and folds. Depends on zod alone.
 */
export { noteAggregate, userAggregate } from './aggregates.ts'
export { Commit, type EventCodec, parseCommit } from './commit.ts'
export { decodeConsistencyToken, encodeConsistencyToken, type LogPosition } from './consistency-token.ts'
export {
  defineEvent,
  type Emitted,
  EnvelopeFields,
  type EventMetadata,
  schemaVersionsOf,
} from './envelope.ts'
export {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  VersionConflictError,
} from './errors.ts'
export { Id, isValidId } from './ids.ts'
export {
  type CreateNote,
  CreateNoteBody,
  type DeleteNote,
  type EditNote,
  EditNoteBody,
  type NoteCommand,
  type ShareNote,
  ShareNoteBody,
  type UnshareNote,
} from './notes/commands.ts'
export { decideNote, type NoteDecision } from './notes/decide.ts'
export {
  NoteCreated,
  NoteDeleted,
  NoteEdited,
  NoteEvent,
  type NoteEventType,
  NoteShared,
  NoteUnshared,
} from './notes/events.ts'
export { evolveNote } from './notes/evolve.ts'
export { Body, noteLimits, Permission, Share, Tag, Tags, Title } from './notes/fields.ts'
export {
  type ListPosition,
  listOrder,
  newestFirst,
  pageIndexFor,
  positionOf,
  slotOf,
} from './notes/list-order.ts'
export { isSharedWith, permissionOf, type Shares, shareeIds, shareList } from './notes/shares.ts'
export {
  type Access,
  accessOf,
  canRead,
  canWrite,
  initialNoteState,
  type Note,
  type NoteState,
} from './notes/state.ts'
export { noteUpcasters } from './notes/upcasters.ts'
export {
  AuditEntry,
  FieldChange,
  NoteSummary,
  NoteVersionView,
  NoteView,
  page,
  toNoteView,
} from './notes/view.ts'
export {
  type ActiveGeneration,
  bucketName,
  consumerDescription,
  consumerName,
  consumerSlots,
  type LegacyNoteIndex,
  type LegacyReadModelName,
  metaBucket,
  metaKeys,
  type NoteListDirectory,
  type NoteListHead,
  type NoteListPage,
  NotePageId,
  type NoteRecord,
  noteListKeys,
  olderShapes,
  type PageRef,
  type ParkedEvent,
  type ParkedWrite,
  type PositionMarker,
  type ProjectionLease,
  type ProjectionName,
  type ProjectionPosition,
  parkedBucket,
  parkedKeys,
  positionMarkerKey,
  projectionNames,
  projections,
  type ReadModelName,
  readModelsOfShape,
  shapeOf,
  type UserRecord,
  unslottedConsumerName,
} from './read-models.ts'
export {
  commandBuckets,
  type NoteSnapshot,
  noteSnapshotFormat,
  type StreamName,
  streamNames,
  streams,
} from './streams.ts'
export { aggregateIdOf, subjects } from './subjects.ts'
export { type Upcaster, upcast, upcaster } from './upcasting.ts'
export {
  type ChangePassword,
  ChangePasswordBody,
  type DeactivateUser,
  type RegisterUser,
  RegisterUserBody,
  type RenameUser,
  RenameUserBody,
  type RotateToken,
  type SignIn,
  SignInBody,
  type SignOut,
  type UserCommand,
} from './users/commands.ts'
export { decideUser, type UserDecision } from './users/decide.ts'
export {
  UserDeactivated,
  UserEvent,
  type UserEventType,
  UserPasswordChanged,
  UserRegistered,
  UserRenamed,
  UserSignedIn,
  UserSignedOut,
  UserTokenRotated,
} from './users/events.ts'
export { evolveUser } from './users/evolve.ts'
export { Email, maxSessions, Password, SecretId, TokenHash, UserName } from './users/fields.ts'
export { initialUserState, type Session, type User, type UserState } from './users/state.ts'
export {
  AccountView,
  PublicUserView,
  RegisteredAccountView,
  TokenView,
  toAccountView,
} from './users/view.ts'
