import { accessSync, constants, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The PostgreSQL server programs a throwaway cluster needs, all from one installation. */
export type PostgresBinaries = { dir: string; initdb: string; pgCtl: string; postgres: string }

/** What `apt-get install postgresql` says, for a row or a script that cannot run without it. */
export const postgresMissing = 'PostgreSQL not installed (apt-get install postgresql)'

/** Version directories ("9.6", "15", "16") newest first: compared as numbers, not as text ("9.6" < "15"). */
export const newestFirst = (versions: readonly string[]): string[] => {
  const parts = (version: string) => version.split('.').map(Number)
  return versions
    .filter((version) => /^\d+(\.\d+)*$/.test(version))
    .sort((a, b) => {
      const [left, right] = [parts(a), parts(b)]
      for (let index = 0; index < Math.max(left.length, right.length); index++) {
        const difference = (right[index] ?? 0) - (left[index] ?? 0)
        if (difference !== 0) return difference
      }
      return 0
    })
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const listDirectory = (dir: string) => {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

export type PostgresSearch = {
  /** A directory named by the user (PG_BIN), looked at first. */
  pgBin?: string | undefined
  /** Where Debian and Ubuntu install each major version: `<root>/<version>/bin`. */
  debianRoot?: string
  /** PATH, for installations that put the programs there (Fedora, Homebrew). */
  path?: string | undefined
}

/**
 * Finds initdb, pg_ctl and postgres in one directory: PG_BIN, then Debian's `/usr/lib/postgresql/<version>/bin`
 * newest version first (its server programs are not on PATH), then PATH. Undefined when none has all three.
 */
export const findPostgresBinaries = ({
  pgBin = process.env.PG_BIN,
  debianRoot = '/usr/lib/postgresql',
  path = process.env.PATH,
}: PostgresSearch = {}): PostgresBinaries | undefined => {
  const candidates = [
    ...(pgBin ? [pgBin] : []),
    ...newestFirst(listDirectory(debianRoot)).map((version) => join(debianRoot, version, 'bin')),
    ...(path ?? '').split(delimiter).filter((dir) => dir !== ''),
  ]
  for (const dir of candidates) {
    const binaries = {
      dir,
      initdb: join(dir, 'initdb'),
      pgCtl: join(dir, 'pg_ctl'),
      postgres: join(dir, 'postgres'),
    }
    if ([binaries.initdb, binaries.pgCtl, binaries.postgres].every(isExecutable)) return binaries
  }
  return undefined
}
