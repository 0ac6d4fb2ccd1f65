import {
  canRead,
  evolveNote,
  isSharedWith,
  type NoteEvent,
  type NoteState,
  permissionOf,
} from '@jetnotes/schemas'
import type { AckedWrite } from './ledger.ts'
import type { LiveRecord } from './live-clients.ts'

/** One event of the NOTES log with the note's state on either side of it, and where it is (as SSE ids say). */
export type LoggedChange = {
  seq: number
  index: number
  event: NoteEvent
  before: NoteState
  after: NoteState
}

/** Every change of every note, in log order: a pure fold of the log's commits (message seq and its events). */
export const noteHistoryOf = (commits: Iterable<{ seq: number; events: readonly NoteEvent[] }>) => {
  const states = new Map<string, NoteState>()
  const changes: LoggedChange[] = []
  for (const { seq, events } of commits) {
    for (const [index, event] of events.entries()) {
      const before = states.get(event.aggregateId) ?? null
      const after = evolveNote(before, event)
      states.set(event.aggregateId, after)
      changes.push({ seq, index, event, before, after })
    }
  }
  return changes
}

/** What a check found: how many things it looked at, and a line for each that is wrong. */
export type CheckResult = { checked: number; failures: string[] }

/**
 * (1) Every acknowledged write is in the log. A create or a change answered with a version must be the event
 * with that version, of its kind, by its actor (an If-Match command that changed nothing answers the version it
 * matched, whose state must already say what it asked); an unshare or a delete (204, no version) must be the
 * event after the version it matched, unless that state already said so (an unshare of someone not shared with).
 */
export const checkAckedWrites = (
  acked: readonly AckedWrite[],
  history: readonly LoggedChange[],
  registeredUsers: ReadonlySet<string>,
): CheckResult => {
  const byNote = new Map<string, Map<number, LoggedChange>>()
  for (const change of history) {
    const versions = byNote.get(change.event.aggregateId) ?? new Map<number, LoggedChange>()
    versions.set(change.event.version, change)
    byNote.set(change.event.aggregateId, versions)
  }
  const failures: string[] = []
  for (const write of acked) {
    if (write.kind === 'register') {
      if (!registeredUsers.has(write.userId)) failures.push(`register ${write.userId}: not in the USERS log`)
      continue
    }
    const versions = byNote.get(write.noteId)
    const at = (version: number) => versions?.get(version)
    const byActor = (change: LoggedChange | undefined, type: NoteEvent['type']) =>
      change !== undefined && change.event.type === type && change.event.actor === write.actor
    const lost = (what: string) => failures.push(`${write.kind} ${write.noteId}: ${what}`)
    switch (write.kind) {
      case 'create':
        if (!byActor(at(write.version), 'NoteCreated')) lost(`no NoteCreated at version ${write.version}`)
        break
      case 'edit': {
        const change = at(write.version)
        const edited = change?.event.type === 'NoteEdited' && change.event.data.body === write.body
        const already = write.version === write.ifMatch && change?.after?.body === write.body
        if (!((byActor(change, 'NoteEdited') && edited) || already))
          lost(`no NoteEdited of this body at version ${write.version}`)
        break
      }
      case 'share': {
        const change = at(write.version)
        const shared =
          change?.event.type === 'NoteShared' &&
          change.event.data.userId === write.userId &&
          change.event.data.permission === write.permission
        const already =
          write.version === write.ifMatch &&
          change?.after != null &&
          permissionOf(change.after.shares, write.userId) === write.permission
        if (!((byActor(change, 'NoteShared') && shared) || already))
          lost(`no NoteShared (${write.userId}, ${write.permission}) at version ${write.version}`)
        break
      }
      case 'unshare': {
        const next = at(write.ifMatch + 1)
        const unshared =
          byActor(next, 'NoteUnshared') &&
          next?.event.type === 'NoteUnshared' &&
          next.event.data.userId === write.userId
        const matched = at(write.ifMatch)?.after
        const notShared = matched != null && !isSharedWith(matched.shares, write.userId)
        if (!(unshared || notShared))
          lost(`no NoteUnshared of ${write.userId} at version ${write.ifMatch + 1}`)
        break
      }
      case 'delete':
        if (!byActor(at(write.ifMatch + 1), 'NoteDeleted'))
          lost(`no NoteDeleted at version ${write.ifMatch + 1}`)
        break
      default: {
        const unknown: never = write
        throw new Error(`unknown write ${JSON.stringify(unknown)}`)
      }
    }
  }
  return { checked: acked.length, failures }
}

/** The SSE id of a change: `<seq>`, or `<seq>-<index>` for the second and later events of a message. */
const idOf = ({ seq, index }: { seq: number; index: number }) =>
  index === 0 ? String(seq) : `${seq}-${index}`

/** What a user must receive of a change: nothing (absent), the note (true), or its last message (false). */
const audienceOf = (change: LoggedChange, userId: string): boolean | undefined => {
  const after = canRead(change.after, userId)
  return after || canRead(change.before, userId) ? after : undefined
}

export type LiveCheck = {
  /** (3) Each client received each change it was allowed to see exactly once: the ones it missed, or got twice. */
  exactlyOnce: CheckResult
  /** (4) Changes a client received that its user must not see (not in the audience, or with a note it lost). */
  nothingForbidden: CheckResult
}

/**
 * Checks what each live client received against the fold: a change reaches the users who can read the note
 * after it (with the note) and those who could before but not after (once more, without it), as the
 * query-service's live hub decides. A client is owed every such change from `since` on (its first connection,
 * as a position: the whole log for a client connected before the workload); `since: 'first-received'` when it
 * had to start afresh, without a Last-Event-ID (it is then owed what follows its first message).
 */
export const checkLiveDeliveries = (
  records: readonly (LiveRecord & { since: { seq: number } | 'first-received' })[],
  history: readonly LoggedChange[],
): LiveCheck => {
  const positions = new Map(history.map((change, order) => [idOf(change), { change, order }]))
  const missedOrTwice: string[] = []
  const forbidden: string[] = []
  let owed = 0
  let received = 0
  for (const record of records) {
    const who = `client ${record.client} (user ${record.userId})`
    const seen = new Map<string, number>()
    for (const message of record.received) {
      received++
      seen.set(message.id, (seen.get(message.id) ?? 0) + 1)
      const known = positions.get(message.id)
      const visible = known === undefined ? undefined : audienceOf(known.change, record.userId)
      if (known === undefined || visible === undefined) {
        forbidden.push(
          `${who} received ${message.id} (${message.type} of ${message.noteId}), not in its audience`,
        )
      } else if (message.withNote && !visible) {
        forbidden.push(`${who} received the note with ${message.id}, after it lost sight of it`)
      } else if (
        known.change.event.aggregateId !== message.noteId ||
        known.change.event.version !== message.version
      ) {
        forbidden.push(
          `${who} received ${message.id} as ${message.noteId} v${message.version}, the log says otherwise`,
        )
      }
    }
    for (const [id, count] of seen) if (count > 1) missedOrTwice.push(`${who} received ${id} ${count} times`)
    const first = record.received[0]
    const from =
      record.since === 'first-received'
        ? first === undefined
          ? Number.POSITIVE_INFINITY
          : (positions.get(first.id)?.order ?? Number.POSITIVE_INFINITY)
        : history.findIndex((change) => change.seq > (record.since as { seq: number }).seq)
    let missed = 0
    for (const [order, change] of history.entries()) {
      if (from < 0 || order < from || audienceOf(change, record.userId) === undefined) continue
      owed++
      if (!seen.has(idOf(change))) {
        missed++
        if (missed <= 3) missedOrTwice.push(`${who} never received ${idOf(change)} (${change.event.type})`)
      }
    }
    if (missed > 3) missedOrTwice.push(`${who} missed ${missed - 3} more`)
  }
  return {
    exactlyOnce: { checked: owed, failures: missedOrTwice },
    nothingForbidden: { checked: received, failures: forbidden },
  }
}
