import type { JetStreamManager } from '@nats-io/jetstream'
import { type DecodableAggregate, eventsOf, type InvalidMessageReport } from './decode-message.ts'
import { acceptedEvents, refusalOf, type Versioned } from './next-version.ts'
import { readSubject } from './read-subject.ts'

/** The state of an aggregate and the stream sequence of the last message folded into it. */
export type Folded<State> = { state: State; seq: number }

export type Aggregate<
  State extends Versioned,
  Event extends { version: number },
> = DecodableAggregate<Event> & {
  evolve: (state: State, event: Event) => State
  initialState: State
}

/**
 * Brings a folded aggregate up to date with the log: folds every message of its subject after `from.seq`.
 *
 * An invalid message in the aggregate's own subject is reported and skipped, and a commit that does not carry
 * the next version is refused (`refusalOf`), but the position of either is still taken: the views skip them
 * too, so the command side decides on the very state the reads show, and the next append expects the subject's
 * real last sequence. Throwing instead would make every command on that aggregate fail until someone repaired
 * the log, and it cannot be repaired (it is append-only).
 */
export const foldSubject = async <
  State extends Versioned,
  Event extends { aggregateId: string; version: number },
>(
  jsm: JetStreamManager,
  aggregate: Aggregate<State, Event>,
  id: string,
  report: InvalidMessageReport,
  from: Folded<State> = { state: aggregate.initialState, seq: 0 },
): Promise<Folded<State>> => {
  let { state, seq } = from
  for await (const commit of readSubject(jsm, aggregate.stream, aggregate.subject(id), seq)) {
    state = acceptedEvents(state, eventsOf(aggregate, commit, report)).reduce(aggregate.evolve, state)
    seq = commit.seq
  }
  return { state, seq }
}

/**
 * Whether the fold accepts the commit at `seq` of the aggregate's subject, read from the subject's first
 * message: a rare question (a retried command whose original is already in the log), so no cache is worth it.
 */
export const isAcceptedCommit = async <
  State extends Versioned,
  Event extends { aggregateId: string; version: number },
>(
  jsm: JetStreamManager,
  aggregate: Aggregate<State, Event>,
  id: string,
  seq: number,
  report: InvalidMessageReport,
): Promise<boolean> => {
  let state = aggregate.initialState
  for await (const commit of readSubject(jsm, aggregate.stream, aggregate.subject(id), 0)) {
    if (commit.seq > seq) break
    const events = eventsOf(aggregate, commit, report)
    if (commit.seq === seq) return events.length > 0 && refusalOf(state, events) === undefined
    state = acceptedEvents(state, events).reduce(aggregate.evolve, state)
  }
  return false
}
