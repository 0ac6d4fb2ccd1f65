import {
  type Folded,
  inSpanSync,
  isWrongLastSequence,
  ServiceUnavailableError,
  tracerOf,
} from '@jetnotes/platform'
import {
  DomainError,
  type Emitted,
  type EventMetadata,
  type LogPosition,
  type StreamName,
  VersionConflictError,
} from '@jetnotes/schemas'
import type { z } from 'zod'
import type { Appended, EventStore } from '../event-store.ts'
import type { CommandMetrics } from '../metrics.ts'
import { toEnvelopes } from './envelopes.ts'
import type { KeyedLock } from './keyed-lock.ts'
import type { Repository } from './repository.ts'

/** What the command side needs to know about an aggregate type (see `noteAggregate`, `userAggregate`). */
export type CommandAggregate<State, Command, Event extends { type: string; data: unknown }> = {
  stream: StreamName
  subject: (id: string) => string
  event: z.ZodType<Event>
  schemaVersions: Readonly<Record<string, number>>
  evolve: (state: State, event: Event) => State
  decide: (state: State, command: Command) => Emitted<Event>[] | DomainError
}

/** The HTTP answer to a command, prepared from the state the command leads to. */
export type CommandResponse = { status: number; body?: unknown; headers: Record<string, string> }

/** An append about to happen: recorded by the idempotency layer so a crash right after it can be recovered. */
export type PlannedAppend = {
  stream: StreamName
  subject: string
  expectedSeq: number
  response: CommandResponse
}

export type CommandRun<State> = {
  id: string
  metadata: EventMetadata
  msgId: string
  /** The response for the state after the command (before it is appended). */
  respond: (state: State) => CommandResponse
  beforeAppend?: (plan: PlannedAppend) => Promise<void>
  /**
   * The id was generated for this command, so the aggregate has no history: skip reading the log. Should it
   * exist after all, the append's expectation (sequence 0) fails and the command is decided on the truth. No
   * one else knows the id before the command answers, so no other append can overtake this one either.
   */
  newAggregate?: boolean
}

export type Executed = { response: CommandResponse; position: LogPosition }

const tracer = tracerOf('command-service')

/** How often a command is re-decided after another process wrote to the same aggregate first. */
const maxAttempts = 3

/**
 * Loads an aggregate, decides, and appends the events, one command per aggregate at a time. The append expects
 * the subject's last sequence the decision was based on; if another process wrote first (10071), the state is
 * refreshed from the log and the command decided again, so If-Match is always checked against the truth.
 */
export const executeCommand = async <
  State extends { version: number } | null,
  Command,
  Event extends { type: string; data: unknown },
>(
  deps: { store: EventStore; locks: KeyedLock; metrics: CommandMetrics },
  aggregate: CommandAggregate<State, Command, Event>,
  repository: Repository<State>,
  command: Command,
  run: CommandRun<State>,
): Promise<Executed> =>
  deps.locks.run(`${aggregate.stream}:${run.id}`, async () => {
    const subject = aggregate.subject(run.id)
    let folded: Folded<State> = run.newAggregate
      ? { state: null as State, seq: 0 }
      : await repository.load(run.id)
    for (let attempt = 1; ; attempt++) {
      const decision = inSpanSync(
        tracer,
        'decide',
        { 'jetnotes.stream': aggregate.stream, 'jetnotes.aggregate_id': run.id, 'jetnotes.attempt': attempt },
        (span) => {
          const decided = aggregate.decide(folded.state, command)
          span.setAttribute(
            'jetnotes.decision',
            decided instanceof DomainError ? decided.code : `${decided.length} events`,
          )
          return decided
        },
      )
      if (decision instanceof DomainError) throw decision
      if (decision.length === 0) {
        return {
          response: run.respond(folded.state),
          position: { stream: aggregate.stream, seq: folded.seq },
        }
      }
      const events = toEnvelopes(aggregate, decision, run.id, folded.state?.version ?? 0, run.metadata)
      const state = events.reduce(aggregate.evolve, folded.state)
      const response = run.respond(state)
      await run.beforeAppend?.({ stream: aggregate.stream, subject, expectedSeq: folded.seq, response })
      let appended: Appended
      const startedAt = performance.now()
      try {
        appended = await deps.store.append(subject, events, {
          expectedSeq: folded.seq,
          msgId: run.msgId,
          newSubject: run.newAggregate === true && folded.seq === 0,
        })
      } catch (error) {
        const refused = isWrongLastSequence(error)
        deps.metrics.appended(aggregate.stream, refused ? 'wrong-last-sequence' : 'unconfirmed', startedAt)
        if (!refused) throw unavailable(error)
        const stale = folded
        folded = await repository.refresh(run.id)
        if (attempt === maxAttempts) {
          throw new VersionConflictError(stale.state?.version ?? 0, folded.state?.version ?? 0, {
            cause: error,
          })
        }
        continue
      }
      deps.metrics.appended(aggregate.stream, appended.outcome, startedAt)
      const position = { stream: aggregate.stream, seq: appended.seq }
      switch (appended.outcome) {
        case 'appended':
          repository.remember(run.id, { state, seq: appended.seq })
          return { response, position }
        case 'duplicate': {
          // The same message was appended before (a retry that raced its original): answer from the log,
          // unless the folds refuse the original (it lost a race, and its writer was answered 412).
          const current = await repository.refresh(run.id)
          if (!(await repository.isAccepted(run.id, appended.seq))) {
            throw new VersionConflictError(folded.state?.version ?? 0, current.state?.version ?? 0)
          }
          return { response: run.respond(current.state), position }
        }
        case 'overtaken': {
          // Acked, but another commit came first: the folds refuse ours (`refusalOf`), so the client hears 412
          // as if the server had refused the append, and the cache takes its position, never its state. Unless
          // what came first was refused itself (a forged or a doubly raced commit): the fold has the last word.
          const current = await repository.refresh(run.id)
          if (await repository.isAccepted(run.id, appended.seq)) return { response, position }
          throw new VersionConflictError(folded.state?.version ?? 0, current.state?.version ?? 0)
        }
        default: {
          const unknown: never = appended
          return unknown
        }
      }
    }
  })

/** A failed publish (timeout, no server): the write may or may not be in the log, so the client must retry. */
const unavailable = (error: unknown) =>
  new ServiceUnavailableError(
    'The event log did not confirm the write; retry with the same Idempotency-Key to apply it exactly once',
    1,
    { cause: error },
  )
