import { expect } from 'vitest'
import type { DomainError, Emitted } from '../src/index.ts'

type Envelope = { aggregateId: string; version: number; actor: string; time: string; correlationId: string }

type Decider<State, Command, Event extends { type: string; data: unknown }> = {
  decide: (state: State, command: Command) => Emitted<Event>[] | DomainError
  evolve: (state: State, event: Event) => State
  initialState: State
}

/** A past event as a test states it: who did what, when. Version and envelope are filled in. */
export type Given<Event extends { type: string; data: unknown }> = Emitted<Event> & {
  actor: string
  time?: string
}

/**
 * given(events).when(command).thenEmits(events) for a decider: folds the given events with `evolve`, runs `decide`,
 * and checks the emitted events or the error.
 */
export const deciderSpec =
  <State, Command, Event extends { type: string; data: unknown }>(
    decider: Decider<State, Command, Event>,
    aggregateId: string,
  ) =>
  (...history: Given<Event>[]) => {
    const state = history.reduce(
      (current, past, index) => decider.evolve(current, toEvent<Event>(past, aggregateId, index + 1)),
      decider.initialState,
    )
    return {
      state,
      when: (command: Command) => {
        const decision = decider.decide(state, command)
        return {
          thenEmits: (expected: Emitted<Event>[]) => {
            expect(decision).toEqual(expected)
          },
          thenFails: (errorClass: new (...args: never[]) => DomainError, status: number) => {
            expect(decision).toBeInstanceOf(errorClass)
            expect((decision as DomainError).status).toBe(status)
          },
        }
      },
    }
  }

/** Wraps a given event in the envelope an appended event would have. */
export const toEvent = <Event>(
  past: Given<{ type: string; data: unknown }>,
  aggregateId: string,
  version: number,
) => {
  const envelope: Envelope = {
    aggregateId,
    version,
    actor: past.actor,
    time: past.time ?? new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
    correlationId: `request-${version}`,
  }
  return { id: `event-${version}`, schemaVersion: 1, type: past.type, data: past.data, ...envelope } as Event
}
