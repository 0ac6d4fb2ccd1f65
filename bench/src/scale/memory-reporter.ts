import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { getHeapStatistics } from 'node:v8'

/**
 * Preloaded into each service by `npm run bench:scale` (`--import`), so the service's own code stays as it is:
 * once a second it writes the process's memory (V8 heap, RSS, peak RSS) as JSON to SCALE_MEMORY_FILE, which
 * the bench reads. A timer that does not keep the process alive; nothing else changes.
 */
const file = process.env.SCALE_MEMORY_FILE
const kilobytes = (field: string, status: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0)
if (file !== undefined && file !== '') {
  const report = () => {
    const { heapUsed, heapTotal, rss } = process.memoryUsage()
    let peakRss = rss
    try {
      peakRss = kilobytes('VmHWM', readFileSync('/proc/self/status', 'utf8')) * 1024
    } catch {
      // Not Linux: the current RSS is the best peak there is.
    }
    const heapLimit = getHeapStatistics().heap_size_limit
    // Written aside and renamed, so the bench never reads a half-written file.
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ heapUsed, heapTotal, heapLimit, rss, peakRss, at: Date.now() }),
    )
    renameSync(`${file}.tmp`, file)
  }
  report()
  setInterval(report, 1_000).unref()
}
