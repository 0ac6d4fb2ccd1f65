/** An aggregate's state as far as the rule below needs it: `null` before its first event. */
export type Versioned = { version: number } | null

/** The version of an aggregate: 0 before its first event. */
export const versionOf = (state: Versioned): number => state?.version ?? 0

/**
 * THE rule of optimistic concurrency as every fold of the log applies it (projector, live hub, history, the
 * command side's loading, the user directory, the test fold): a commit continues its aggregate only if its
 * first event carries the aggregate's current version + 1. Otherwise it is refused: it stays in the log (the log
 * is append-only) but changes nothing, and its position is still taken.
 *
 * Why a fold needs this when every append expects the subject's last sequence: nats-server before 2.9.21 can
 * accept two concurrent publishes with the same expectation on a replicated stream (nats-server#4320), and
 * later servers check the expectation on the stream leader only, so a leader change can let one through
 * (nats-server#8469). Both commits then carry the same version; the first one in the log wins, the second is
 * refused here, and the command-service answered its writer 412 (see `EventStore.append`).
 *
 * Returns why the commit is refused, or `undefined` when it is accepted.
 */
export const refusalOf = (state: Versioned, events: readonly { version: number }[]): string | undefined => {
  const current = versionOf(state)
  const first = events[0]?.version
  if (first === current + 1) return undefined
  return `its first event has version ${first}, not ${current + 1} (the aggregate is at version ${current}): another commit reached the aggregate first`
}

/** The events of a commit that the rule accepts at this state, or none. */
export const acceptedEvents = <Event extends { version: number }>(
  state: Versioned,
  events: readonly Event[],
): readonly Event[] => (refusalOf(state, events) === undefined ? events : [])
