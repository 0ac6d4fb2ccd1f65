import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { findPostgresBinaries, newestFirst } from '../src/peer/postgresql-binaries.ts'

const roots: string[] = []
const fakeRoot = () => {
  const root = mkdtempSync(join(tmpdir(), 'jetnotes-pg-bin-'))
  roots.push(root)
  return root
}
/** A directory with empty executables of these names. */
const fakeBin = (dir: string, programs: readonly string[]) => {
  mkdirSync(dir, { recursive: true })
  for (const program of programs) {
    writeFileSync(join(dir, program), '')
    chmodSync(join(dir, program), 0o755)
  }
  return dir
}
const server = ['initdb', 'pg_ctl', 'postgres']

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

describe('newestFirst', () => {
  it('orders versions as numbers, not as text', () => {
    expect(newestFirst(['9.6', '15', '16', '10'])).toEqual(['16', '15', '10', '9.6'])
  })

  it('ignores entries that are not versions', () => {
    expect(newestFirst(['15', 'README', '.keep'])).toEqual(['15'])
  })
})

describe('findPostgresBinaries', () => {
  it("takes Debian's newest version that has every server program", () => {
    const root = fakeRoot()
    fakeBin(join(root, '15', 'bin'), server)
    fakeBin(join(root, '16', 'bin'), ['pg_ctl']) // a client-only install of 16
    fakeBin(join(root, '9.6', 'bin'), server)
    expect(findPostgresBinaries({ debianRoot: root, path: '' })?.dir).toBe(join(root, '15', 'bin'))
  })

  it('looks at PG_BIN first, then Debian, then PATH', () => {
    const root = fakeRoot()
    const debian = join(root, 'debian')
    fakeBin(join(debian, '15', 'bin'), server)
    const onPath = fakeBin(join(root, 'usr-bin'), server)
    const named = fakeBin(join(root, 'named'), server)
    expect(findPostgresBinaries({ pgBin: named, debianRoot: debian, path: onPath })?.dir).toBe(named)
    expect(findPostgresBinaries({ debianRoot: debian, path: onPath })?.dir).toBe(join(debian, '15', 'bin'))
    expect(findPostgresBinaries({ debianRoot: join(root, 'none'), path: onPath })?.pgCtl).toBe(
      join(onPath, 'pg_ctl'),
    )
  })

  it('finds nothing when no directory has all three programs', () => {
    const root = fakeRoot()
    const clientOnly = fakeBin(join(root, 'bin'), ['psql', 'pg_ctl'])
    expect(findPostgresBinaries({ debianRoot: join(root, 'none'), path: clientOnly })).toBeUndefined()
  })
})
