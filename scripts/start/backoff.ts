/** How long a supervisor waits before starting a crashed process again. */
export type Backoff = {
  /** The wait before the first restart. */
  initialMs: number
  /** The wait doubles with each restart in a row, up to this. */
  maxMs: number
  /** A process that stayed up this long was healthy: its next crash starts the count again. */
  stableMs: number
}

/** Half a second, doubling to 10 s; a minute up resets it. */
export const defaultBackoff: Backoff = { initialMs: 500, maxMs: 10_000, stableMs: 60_000 }

/** The wait before restart number `attempt` (1 for the first restart in a row). */
export const restartDelay = (attempt: number, { initialMs, maxMs }: Backoff): number =>
  Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))

/** The attempt number of the restart after a process that ran `upMs` and followed `previous` restarts in a row. */
export const nextAttempt = (previous: number, upMs: number, { stableMs }: Backoff): number =>
  upMs >= stableMs ? 1 : previous + 1
