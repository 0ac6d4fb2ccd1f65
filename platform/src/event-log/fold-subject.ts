import type { JetStreamManager } from '@nats-io/jetstream'
import { type DecodableAggregate, eventsOf, type InvalidMessageReport } from './decode-message.ts'
import { readSubject } from './read-subject.ts'

/** The state of an aggregate and the stream sequence of the last message folded into it. */
export type Folded<State> = { state: State; seq: number }

export type Aggregate<State, Event> = DecodableAggregate<Event> & {
  evolve: (state: State, event: Event) => State
  initialState: State
}

/**
 * Brings a folded aggregate up to date with the log: folds every message of its subject after `from.seq`.
 *
 * An invalid message in the aggregate's own subject is reported and skipped, but its position is still taken:
 * the views skip it too (the projector parks it), so the command side decides on the very state the reads
 * show, and the next append expects the subject's real last sequence. Throwing instead would make every
 * command on that aggregate fail until someone repaired the log, and it cannot be repaired (it is append-only).
 */
export const foldSubject = async <State, Event extends { aggregateId: string }>(
  jsm: JetStreamManager,
  aggregate: Aggregate<State, Event>,
  id: string,
  report: InvalidMessageReport,
  from: Folded<State> = { state: aggregate.initialState, seq: 0 },
): Promise<Folded<State>> => {
  let { state, seq } = from
  for await (const commit of readSubject(jsm, aggregate.stream, aggregate.subject(id), seq)) {
    state = eventsOf(aggregate, commit, report).reduce(aggregate.evolve, state)
    seq = commit.seq
  }
  return { state, seq }
}
