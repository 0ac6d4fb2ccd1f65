import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql'
import { evolveNote, initialNoteState } from '@jetnotes/schemas'
import { measureRounds, type Rounds, type Summary } from '../measure.ts'
import { fullSizes, quickSizes } from '../sizes.ts'
import { createNote, type EmmettNoteEvent, toEmmettEvent, toNoteEvent } from './emmett-notes.ts'
import { findPostgresBinaries, postgresMissing } from './postgresql-binaries.ts'
import { startThrowawayPostgres } from './throwaway-postgresql.ts'

/**
 * `npm run bench:peer [-- --quick] [--async-commit]`: the peer of "create note, whole system vs Emmett + PostgreSQL". Starts a
 * throwaway PostgreSQL cluster, creates notes through Emmett's PostgreSQL event store and CommandHandler with
 * jetnotes' own decider, in this process (no HTTP), as many in flight as the bench's create path, and prints
 * the median of its rounds. `npm run bench` forks it with its own sizes (BENCH_PEER_SIZES) and takes the
 * result over IPC. Without PostgreSQL it says so and exits 0.
 */
export type PeerResult =
  | {
      summary: Summary
      postgres: string
      runsAs: string | undefined
      /** One NoteCreated as JSON: as jetnotes stores it, and Emmett's data plus metadata columns. */
      eventBytes: { jetnotes: number; emmett: number }
    }
  | { skipped: string }

export type PeerSizes = { rounds: Rounds; concurrency: number }

/**
 * `--async-commit`: PostgreSQL acknowledges a commit before its WAL is flushed to disk (synchronous_commit=off),
 * closer to JetStream's default, which writes each message to its file but flushes every 2 minutes. The bench
 * runs PostgreSQL as installed (a flush per commit).
 */
const asyncCommit = ['synchronous_commit=off']

const note = {
  title: 'A benchmark note',
  body: 'Something worth writing down, about this long.',
  tags: ['bench'],
}

const eventBytes = () => {
  const event: EmmettNoteEvent = toEmmettEvent(
    { type: 'NoteCreated', data: note },
    randomUUID(),
    1,
    randomUUID(),
  )
  return {
    jetnotes: JSON.stringify(toNoteEvent(event)).length,
    emmett: JSON.stringify(event.data).length + JSON.stringify(event.metadata).length,
  }
}

const measurePeer = async (
  { rounds, concurrency }: PeerSizes,
  settings: readonly string[] = [],
): Promise<PeerResult> => {
  const binaries = findPostgresBinaries()
  if (binaries === undefined) return { skipped: postgresMissing }
  const postgres = execFileSync(binaries.postgres, ['--version'], { encoding: 'utf8' }).trim()
  await using cluster = await startThrowawayPostgres(binaries, settings)
  const store = getPostgreSQLEventStore(cluster.connectionString)
  try {
    // One note first, read back and folded: the handler really stores what jetnotes would (and the schema
    // migration, which Emmett runs on first use, stays out of the timed rounds).
    const actors = Array.from({ length: concurrency }, () => randomUUID())
    const created = await createNote(store, actors[0] ?? '', note)
    const { events } = await store.readStream<EmmettNoteEvent>(`note-${created?.id}`)
    const folded = events.map(toNoteEvent).reduce(evolveNote, initialNoteState)
    if (JSON.stringify(folded) !== JSON.stringify(created)) {
      throw new Error('the note read back from PostgreSQL is not the note Emmett created')
    }
    const summary = await measureRounds(rounds, concurrency, async (worker) => {
      await createNote(store, actors[worker] ?? '', note)
    })
    return { summary, postgres, runsAs: cluster.runsAs, eventBytes: eventBytes() }
  } finally {
    await store.close()
  }
}

const fromBench = process.env.BENCH_PEER_SIZES
if (fromBench !== undefined) {
  const result = await measurePeer(JSON.parse(fromBench) as PeerSizes)
  process.send?.({ peer: result }, () => process.disconnect())
} else {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'async-commit': { type: 'boolean', default: false },
    },
  })
  const sizes = values.quick ? quickSizes : fullSizes
  const settings = values['async-commit'] ? asyncCommit : []
  const result = await measurePeer(sizes, settings)
  if ('skipped' in result) {
    console.log(`Emmett + PostgreSQL: skipped: ${result.skipped}`)
  } else {
    const { summary } = result
    console.log(
      [
        `Emmett + PostgreSQL create note, ${sizes.concurrency} in flight, in process: ` +
          `${Math.round(summary.perSecond)}/s (median of ${sizes.rounds.rounds} rounds of ${sizes.rounds.roundMs / 1000} s), ` +
          `p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms`,
        `${[result.postgres, ...settings].join(', ')}${result.runsAs === undefined ? '' : ` (run as the "${result.runsAs}" user: this process is root)`}; ` +
          `event JSON ${result.eventBytes.jetnotes} bytes in jetnotes, ${result.eventBytes.emmett} in Emmett's data + metadata`,
      ].join('\n'),
    )
  }
}
