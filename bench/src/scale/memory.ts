import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

/** RSS and peak RSS (VmHWM) of any process by pid, in MB, from /proc; nulls once it has gone. */
export const processRss = (pid: number | undefined) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN)
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) }
  } catch {
    return { rssMb: null, peakRssMb: null }
  }
}

export type NodeMemory = {
  heapUsedMb: number
  heapTotalMb: number
  heapLimitMb: number
  rssMb: number
  peakRssMb: number
}

/** The last report a service's memory-reporter.ts wrote, in MB; null if there is none yet. */
export const nodeMemory = (file: string): NodeMemory | null => {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>
    return {
      heapUsedMb: mb(report.heapUsed ?? 0),
      heapTotalMb: mb(report.heapTotal ?? 0),
      heapLimitMb: mb(report.heapLimit ?? 0),
      rssMb: mb(report.rss ?? 0),
      peakRssMb: mb(report.peakRss ?? 0),
    }
  } catch {
    return null
  }
}

/**
 * Bytes under a directory (du), in MB: the size on disk of the store dir. nats-server removes block files while
 * du walks the tree (du then exits 1 but still prints the total of what it found): that total is kept.
 */
export const directoryMb = (path: string) => {
  let output: string
  try {
    output = execFileSync('du', ['-sb', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch (error) {
    output = String((error as { stdout?: unknown }).stdout ?? '')
  }
  const bytes = Number(output.split('\t')[0])
  return output === '' || Number.isNaN(bytes) ? null : Math.round(bytes / 1024 / 1024)
}
