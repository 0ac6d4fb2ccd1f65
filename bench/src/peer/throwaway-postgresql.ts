import { execFile, execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '@jetnotes/testing'
import type { PostgresBinaries } from './postgresql-binaries.ts'

const run = promisify(execFile)

/** A PostgreSQL cluster of its own in a temp directory, for one benchmark run. */
export type ThrowawayPostgres = {
  /** `postgresql://bench@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  connectionString: string
  /** The OS user the server runs as when this process is root (PostgreSQL refuses root), else undefined. */
  runsAs: string | undefined
  /** Stops the server and removes its directory. */
  [Symbol.asyncDispose]: () => Promise<void>
}

/** The user PostgreSQL runs as when we are root: Debian's package creates it. */
const serviceUser = 'postgres'

const idOf = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, serviceUser], { encoding: 'utf8' }))

/**
 * initdb in a fresh temp directory (trust authentication for the user `bench`, no fsync while initialising:
 * the cluster is thrown away), then `pg_ctl start` on a free port of 127.0.0.1 with its socket in the same
 * directory. As root the programs run as `postgres` through runuser. Use with `await using`; a process that
 * exits without disposing still stops the server (an 'exit' hook), as pg_ctl leaves it running detached.
 */
export const startThrowawayPostgres = async (
  binaries: PostgresBinaries,
  /** Server settings besides the defaults, as `name=value` (e.g. `synchronous_commit=off`). */
  settings: readonly string[] = [],
): Promise<ThrowawayPostgres> => {
  const runsAs = process.getuid?.() === 0 ? serviceUser : undefined
  const dir = await mkdtemp(join(tmpdir(), 'jetnotes-postgres-'))
  const dataDir = join(dir, 'data')
  const command = (binary: string, args: string[]): [string, string[]] =>
    runsAs === undefined ? [binary, args] : ['runuser', ['-u', runsAs, '--', binary, ...args]]
  // The working directory is the temp directory: as `postgres`, the caller's may not be readable.
  const options = { cwd: dir, encoding: 'utf8' as const }
  const stopArgs = (mode: 'fast' | 'immediate') => ['-D', dataDir, '-m', mode, '-w', 'stop']

  let started = false
  let gone = false
  const stopNow = () => {
    if (gone) return
    gone = true
    if (started) {
      try {
        execFileSync(...command(binaries.pgCtl, stopArgs('immediate')), options)
      } catch {
        // Not running (a start that failed, or a server already stopped).
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  // On Ctrl-C or SIGTERM too ('exit' does not run then): stop the server, then exit.
  const onSignal = () => {
    stopNow()
    process.exit(1)
  }
  const hooks = () => {
    process.removeListener('exit', stopNow)
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
  process.once('exit', stopNow)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    if (runsAs !== undefined) {
      try {
        await chown(dir, idOf('-u'), idOf('-g'))
      } catch (error) {
        throw new Error(
          `running as root, and PostgreSQL refuses root: no user "${serviceUser}" to run it as ` +
            '(apt-get install postgresql creates it)',
          { cause: error },
        )
      }
    }
    await run(
      ...command(binaries.initdb, [
        '-D',
        dataDir,
        '-U',
        'bench',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]),
      options,
    )
    const port = await freePort()
    // From here a server may run (pg_ctl can give up waiting on one that goes on starting): stop it on failure.
    started = true
    await run(
      ...command(binaries.pgCtl, [
        '-D',
        dataDir,
        '-l',
        join(dir, 'postgresql.log'),
        '-w',
        '-t',
        '60',
        '-o',
        [
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
          ...settings.map((setting) => `-c ${setting}`),
        ].join(' '),
        'start',
      ]),
      options,
    )
    return {
      connectionString: `postgresql://bench@127.0.0.1:${port}/postgres`,
      runsAs,
      [Symbol.asyncDispose]: async () => {
        hooks()
        gone = true
        try {
          await run(...command(binaries.pgCtl, stopArgs('fast')), options)
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (error) {
    hooks()
    stopNow()
    throw error
  }
}
