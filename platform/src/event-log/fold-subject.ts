import { type EventCodec, parseCommit } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import { readSubject } from './read-subject.ts'

/** The state of an aggregate and the stream sequence of the last message folded into it. */
export type Folded<State> = { state: State; seq: number }

export type Aggregate<State, Event> = EventCodec<Event> & {
  stream: string
  subject: (id: string) => string
  evolve: (state: State, event: Event) => State
  initialState: State
}

/** Brings a folded aggregate up to date with the log: folds every message of its subject after `from.seq`. */
export const foldSubject = async <State, Event>(
  jsm: JetStreamManager,
  aggregate: Aggregate<State, Event>,
  id: string,
  from: Folded<State> = { state: aggregate.initialState, seq: 0 },
): Promise<Folded<State>> => {
  let { state, seq } = from
  for await (const commit of readSubject(jsm, aggregate.stream, aggregate.subject(id), seq)) {
    state = parseCommit(aggregate, commit.payload).reduce(aggregate.evolve, state)
    seq = commit.seq
  }
  return { state, seq }
}
