import { schemaVersionsOf } from './envelope.ts'
import { decideNote } from './notes/decide.ts'
import { NoteEvent } from './notes/events.ts'
import { evolveNote } from './notes/evolve.ts'
import { initialNoteState } from './notes/state.ts'
import { noteUpcasters } from './notes/upcasters.ts'
import { streams } from './streams.ts'
import { subjects } from './subjects.ts'
import { decideUser } from './users/decide.ts'
import { UserEvent } from './users/events.ts'
import { evolveUser } from './users/evolve.ts'
import { initialUserState } from './users/state.ts'

/** Everything needed to load, decide on and append to a note: its stream, subject, events and functions. */
export const noteAggregate = {
  stream: streams.notes.name,
  subject: subjects.note,
  event: NoteEvent,
  schemaVersions: schemaVersionsOf(NoteEvent),
  upcasters: noteUpcasters,
  evolve: evolveNote,
  decide: decideNote,
  initialState: initialNoteState,
}

/** Everything needed to load, decide on and append to a user account. */
export const userAggregate = {
  stream: streams.users.name,
  subject: subjects.user,
  event: UserEvent,
  schemaVersions: schemaVersionsOf(UserEvent),
  /** User events have not changed shape yet. */
  upcasters: [],
  evolve: evolveUser,
  decide: decideUser,
  initialState: initialUserState,
}
