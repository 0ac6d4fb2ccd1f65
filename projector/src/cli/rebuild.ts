import { parseArgs } from 'node:util'
import { type ProjectionName, projectionNames } from '@jetnotes/schemas'
import { MultiBar, Presets } from 'cli-progress'
import { loadProjectorConfig } from '../config.ts'
import { projectionsWith } from '../projections/catalog.ts'
import { rebuildProjection } from '../rebuild.ts'
import { connectForCli } from './connect.ts'

/**
 * `npm run rebuild [-- <projection>...] [--grace-ms N]`: replays the log into fresh buckets, with progress,
 * then switches the query-service over. Ctrl-C abandons the new generation; the live one is untouched.
 */
const { values, positionals: names } = parseArgs({
  allowPositionals: true,
  options: { 'grace-ms': { type: 'string', default: '5000' } },
})
const graceMs = Number(values['grace-ms'])
const unknown = names.filter((name) => !projectionNames.includes(name as ProjectionName))
if (unknown.length > 0 || !Number.isFinite(graceMs) || graceMs < 0) {
  console.error(
    `Usage: npm run rebuild [-- <projection>...] [--grace-ms N]\nProjections: ${projectionNames.join(', ')}`,
  )
  process.exit(2)
}
const selected = names.length > 0 ? (names as ProjectionName[]) : projectionNames

const deps = await connectForCli()
// The settings the projector runs with (.env, the environment), so the rebuilt pages are shaped alike.
const config = loadProjectorConfig()
const catalog = projectionsWith({
  notePageSize: config.NOTE_LIST_PAGE_SIZE,
  noteDirectorySize: config.NOTE_LIST_DIRECTORY_SIZE,
})
const abort = new AbortController()
process.once('SIGINT', () => abort.abort())
const bars = new MultiBar(
  {
    format: '{projection} {phase} |{bar}| {value}/{total} {unit} | {speed}/s | ETA {eta_formatted}',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
    etaBuffer: 50,
  },
  Presets.shades_classic,
)
const summaries: string[] = []
try {
  for (const name of selected) {
    const bar = bars.create(1, 0, { projection: name.padEnd(6), phase: 'replay', unit: 'events', speed: 0 })
    let phaseStarted = performance.now()
    let phase = 'replay'
    const result = await rebuildProjection(deps, catalog[name], {
      graceMs,
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.phase !== phase) {
          phase = progress.phase
          phaseStarted = performance.now()
        }
        const seconds = Math.max((performance.now() - phaseStarted) / 1000, 0.001)
        if (progress.phase === 'replay') {
          bar.setTotal(progress.lastSeq)
          bar.update(progress.seq, {
            phase: 'replay',
            unit: 'events',
            speed: Math.round(progress.seq / seconds),
          })
        } else if (progress.phase === 'write') {
          bar.setTotal(progress.total)
          bar.update(progress.written, {
            phase: 'write ',
            unit: 'entries',
            speed: Math.round(progress.written / seconds),
          })
        } else {
          bar.update({ phase: progress.phase === 'switch' ? 'switch' : 'clean ' })
        }
      },
    })
    summaries.push(
      `${name}: generation ${result.from} -> ${result.to}: ${result.events} events, ${result.entries} entries, ` +
        `${result.parked} parked, ${result.seconds.toFixed(1)} s (${Math.round(result.events / result.seconds)} events/s)`,
    )
  }
} catch (error) {
  bars.stop()
  console.error(abort.signal.aborted ? 'Rebuild abandoned; the live generation is unchanged.' : error)
  await deps.nc.close()
  process.exit(1)
}
bars.stop()
for (const summary of summaries) console.log(summary)
await deps.nc.close()
