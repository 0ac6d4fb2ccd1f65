import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { LoadContext } from '../load-context.ts'
import type { Summary } from '../measure.ts'
import type { PeerResult, PeerSizes } from '../peer/emmett-postgresql.ts'
import { findPostgresBinaries, postgresMissing } from '../peer/postgresql-binaries.ts'
import { untilProjected } from '../projection-caught-up.ts'
import { failedRow, type Row, round, throughputRow } from '../report.ts'

const path = 'create note, whole system vs Emmett + PostgreSQL'
const minimumRatio = 3

/** Runs `npm run bench:peer`'s script as a child process with this run's sizes, and waits for its result. */
const runPeer = (sizes: PeerSizes) =>
  new Promise<PeerResult>((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('../peer/emmett-postgresql.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_PEER_SIZES: JSON.stringify(sizes) },
    })
    child.once('message', (message) => resolve((message as { peer: PeerResult }).peer))
    child.once('exit', (code) =>
      reject(new Error(`the Emmett + PostgreSQL script exited (${code}) before reporting`)),
    )
  })

/**
 * "create note, whole system vs Emmett + PostgreSQL": the create rate the write path measured with everything
 * running (not measured again), against Emmett's PostgreSQL event store creating the same notes with the same
 * decider, in process, at the same concurrency, on the same machine, once jetnotes' projector has caught up
 * (the system then idles). Without PostgreSQL the row is skipped (not failed).
 */
export const measureAgainstPeer = async (context: LoadContext, create: Summary): Promise<Row> => {
  const { sizes, say } = context
  if (findPostgresBinaries() === undefined) {
    say(`${path}: skipped, ${postgresMissing}`)
    return {
      path,
      jetnotes: round(create.perSecond, 0),
      ceiling: null,
      ratio: null,
      target: `>= ${minimumRatio}`,
      met: null,
      unit: 'per s',
      detail: `skipped: ${postgresMissing}`,
    }
  }
  say('create note: Emmett + PostgreSQL (bench/src/peer/emmett-postgresql.ts)')
  try {
    // The projector may still be folding the writes before: the peer's rounds share the machine with no one.
    await untilProjected(context, 'before Emmett + PostgreSQL', { timeoutMs: 120_000 })
    const peer = await runPeer({ rounds: sizes.rounds, concurrency: sizes.concurrency })
    if ('skipped' in peer) throw new Error(peer.skipped)
    const row = throughputRow(path, create, peer.summary, minimumRatio, 'Emmett + PostgreSQL')
    const bytes = `event JSON ${peer.eventBytes.jetnotes} bytes (jetnotes) / ${peer.eventBytes.emmett} (Emmett data + metadata)`
    return { ...row, detail: `${row.detail}; ${peer.postgres}; ${bytes}` }
  } catch (error) {
    return failedRow(path, `>= ${minimumRatio}`, error instanceof Error ? error.message : String(error))
  }
}
