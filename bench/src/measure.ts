/** Latencies of one run, in milliseconds, and what they add up to. */
export type Sample = { count: number; seconds: number; latenciesMs: number[] }

export type Summary = { perSecond: number; p50: number; p99: number; count: number }

/** The value at quantile `q` (0..1) of sorted values (nearest rank). */
export const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0)

export const summarize = ({ count, seconds, latenciesMs }: Sample): Summary => {
  const sorted = [...latenciesMs].sort((a, b) => a - b)
  return { perSecond: count / seconds, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), count }
}

/** The median of several rounds, field by field: one slow or lucky round does not decide. */
export const medianOf = (rounds: readonly Summary[]): Summary => {
  const median = (pick: (summary: Summary) => number) =>
    quantile(
      rounds.map(pick).sort((a, b) => a - b),
      0.5,
    )
  return {
    perSecond: median((round) => round.perSecond),
    p50: median((round) => round.p50),
    p99: median((round) => round.p99),
    count: rounds.reduce((total, round) => total + round.count, 0),
  }
}

/**
 * Closed loop: `concurrency` workers each run `operation` back to back until `durationMs` has passed, so at
 * most `concurrency` operations are in flight. Every operation's latency is recorded.
 */
export const closedLoop = async (
  concurrency: number,
  durationMs: number,
  operation: (worker: number) => Promise<void>,
): Promise<Sample> => {
  const latenciesMs: number[] = []
  const started = performance.now()
  const deadline = started + durationMs
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const begun = performance.now()
        await operation(worker)
        latenciesMs.push(performance.now() - begun)
      }
    }),
  )
  return { count: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs }
}

export type Rounds = { warmupMs: number; roundMs: number; rounds: number }

/** Warms up, then runs several rounds of a closed loop and keeps the median. */
export const measureRounds = async (
  { warmupMs, roundMs, rounds }: Rounds,
  concurrency: number,
  operation: (worker: number) => Promise<void>,
): Promise<Summary> => {
  await closedLoop(concurrency, warmupMs, operation)
  const results: Summary[] = []
  for (let round = 0; round < rounds; round++) {
    results.push(summarize(await closedLoop(concurrency, roundMs, operation)))
  }
  return medianOf(results)
}

/** Runs `count` operations one after another and returns their latencies. */
export const sequential = async (count: number, operation: (index: number) => Promise<void>) => {
  const latenciesMs: number[] = []
  const started = performance.now()
  for (let index = 0; index < count; index++) {
    const begun = performance.now()
    await operation(index)
    latenciesMs.push(performance.now() - begun)
  }
  return summarize({ count, seconds: (performance.now() - started) / 1000, latenciesMs })
}
