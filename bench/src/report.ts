import type { Summary } from './measure.ts'

/** One line of the table and of `bench/results.json`. */
export type Row = {
  path: string
  /** The figure compared: per second for throughput, milliseconds for latency, MB for memory. */
  jetnotes: number | null
  ceiling: number | null
  ratio: number | null
  target: string
  met: boolean | null
  unit: string
  /** The other figures of the path (percentiles, counts), as text. */
  detail: string
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

export const latencies = (summary: Summary) => `p50 ${round(summary.p50)} ms, p99 ${round(summary.p99)} ms`

/** jetnotes against its ceiling in the same run: operations per second, higher is better. */
export const throughputRow = (
  path: string,
  jetnotes: Summary,
  ceiling: Summary,
  minimumRatio: number,
  ceilingName: string,
): Row => {
  const ratio = round(jetnotes.perSecond / ceiling.perSecond)
  return {
    path,
    jetnotes: round(jetnotes.perSecond, 0),
    ceiling: round(ceiling.perSecond, 0),
    ratio,
    target: `>= ${minimumRatio}`,
    met: ratio >= minimumRatio,
    unit: 'per s',
    detail: `jetnotes ${latencies(jetnotes)}; ${ceilingName} ${latencies(ceiling)}`,
  }
}

/** A latency with a bound of its own (no ceiling): lower is better. */
export const latencyRow = (path: string, summary: Summary, maximumP99Ms: number, note: string): Row => ({
  path,
  jetnotes: round(summary.p99),
  ceiling: null,
  ratio: null,
  target: `p99 <= ${maximumP99Ms} ms`,
  met: summary.p99 <= maximumP99Ms,
  unit: 'ms (p99)',
  detail: `${latencies(summary)}; ${note}`,
})

/** A row that could not be measured: no figures, not met, and why. */
export const failedRow = (path: string, target: string, reason: string): Row => ({
  path,
  jetnotes: null,
  ceiling: null,
  ratio: null,
  target,
  met: false,
  unit: '',
  detail: `FAILED: ${reason}`,
})

/**
 * Runs a path that may not finish (a wait that times out, a projector that stalls, a request refused): if it
 * throws, each of its rows is reported failed with the reason, and the bench goes on with the next path.
 */
export const orFailed = async (
  rows: readonly { path: string; target: string }[],
  measure: () => Promise<Row[]>,
): Promise<Row[]> => {
  try {
    return await measure()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return rows.map(({ path, target }) => failedRow(path, target, reason))
  }
}

/** 100000 -> "100,000", for row names. */
export const count = (value: number) => value.toLocaleString('en-US')

/** Prints the rows as an aligned table. */
export const formatTable = (rows: readonly Row[]) => {
  const cells = rows.map((row) => [
    row.path,
    row.jetnotes === null ? '-' : `${row.jetnotes} ${row.unit}`,
    row.ceiling === null ? '-' : `${row.ceiling} ${row.unit}`,
    row.ratio === null ? '-' : String(row.ratio),
    row.target,
    row.met === null ? (row.detail.startsWith('skipped') ? 'skipped' : 'reported') : row.met ? 'yes' : 'NO',
  ])
  const header = ['path', 'jetnotes', 'ceiling (same run)', 'ratio', 'target', 'met']
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  )
  const line = (values: readonly string[]) =>
    values.map((value, column) => value.padEnd(widths[column] ?? 0)).join('  ')
  const details = rows.map((row) => `  ${row.path}: ${row.detail}`)
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    '',
    ...details,
  ].join('\n')
}
