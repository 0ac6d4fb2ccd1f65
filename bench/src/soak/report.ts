import { operationKinds } from './ledger.ts'
import type { SoakReport } from './run-soak.ts'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const count = (value: number) => value.toLocaleString('en-US')

/** The soak's report on one screen: what ran, what was done to it, and what the checks found. */
export const formatSoakReport = (report: SoakReport): string => {
  const lines: string[] = []
  const workloadSeconds = report.workloadMs / 1000
  lines.push(
    `jetnotes soak  seed ${report.seed}  ${report.plannedMinutes} min planned, workload ${seconds(report.workloadMs)}, ${seconds(report.totalMs)} in all`,
    `system: ${report.processes.join(', ')}; faults hit ${report.targets.join(', ') || 'nothing'}`,
    '',
    `requests: ${count(report.requests)} (${(report.requests / workloadSeconds).toFixed(1)}/s), ${count(report.acked)} writes acknowledged`,
  )
  for (const kind of operationKinds) {
    const outcomes = report.outcomes.get(kind)
    if (outcomes === undefined) continue
    const parts = [...outcomes]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([outcome, n]) => `${outcome} x${count(n)}`)
    lines.push(`  ${kind.padEnd(8)} ${parts.join('  ')}`)
  }
  const { live } = report
  lines.push(
    `live: ${live.clients} clients, ${count(live.connections)} connections (${count(live.resumes)} resumed with Last-Event-ID, ${count(live.dropped)} ended by the server, ${count(live.refused)} attempts refused), ${count(live.received)} messages received`,
    `      ${live.caughtUpMs === undefined ? 'NOT caught up' : `all caught up ${seconds(live.caughtUpMs)}`} after the workload ended (the system settled first)`,
    `log: ${count(report.log.changes)} note changes on ${count(report.log.notes)} notes, ${count(report.log.users)} users`,
    '',
    `faults: ${report.faults.length}`,
  )
  for (const fault of report.faults) {
    const what =
      fault.kind === 'SIGKILL' ? `down ${seconds(fault.forMs)}, restarted` : `paused ${seconds(fault.forMs)}`
    const error = fault.error === undefined ? '' : `  (failed: ${fault.error})`
    const target = fault.hit === undefined ? fault.process : `${fault.process} (${fault.hit})`
    lines.push(`  +${seconds(fault.atMs).padStart(7)}  ${fault.kind} ${target.padEnd(11)} ${what}${error}`)
  }
  if (report.exits.length > 0) {
    lines.push(`exits no fault asked for: ${report.exits.length}`)
    for (const exit of report.exits.slice(0, 5))
      lines.push(`  +${seconds(exit.atMs).padStart(7)}  ${exit.process} (${exit.how}), restarted`)
  }
  lines.push('', 'checks:')
  for (const check of report.checks) {
    const verdict = check.failures.length === 0 ? 'PASS' : 'FAIL'
    const failed = check.failures.length === 0 ? '' : `, ${count(check.failures.length)} failures`
    lines.push(`  ${verdict}  ${check.name.padEnd(40)} ${count(check.checked)} checked${failed}`)
    for (const failure of check.failures.slice(0, 3)) lines.push(`        ${failure}`)
  }
  lines.push('', `${report.passed ? 'PASSED' : 'FAILED'}  (service logs: ${report.logDir})`)
  return lines.join('\n')
}
