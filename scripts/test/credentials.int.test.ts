import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { natsPasswords, operatorEnvFile, passwordsFile, writeOperatorEnv } from '../start/credentials.ts'

const dataDirs: string[] = []
const freshDataDir = () => {
  const directory = mkdtempSync(join(tmpdir(), 'jetnotes-credentials-'))
  dataDirs.push(directory)
  return join(directory, 'data')
}
afterEach(() => {
  for (const directory of dataDirs.splice(0)) rmSync(directory, { recursive: true, force: true })
  delete process.env.JETNOTES_QUERY_NATS_PASSWORD
})

describe("npm start's NATS passwords", () => {
  it('are generated on first start, strong and different, into a file only the owner reads', () => {
    const dataDir = freshDataDir()
    const passwords = natsPasswords(dataDir)

    expect(new Set(Object.values(passwords)).size).toBe(4)
    for (const password of Object.values(passwords)) expect(password).toMatch(/^jn_[A-Za-z0-9_-]{43}$/)
    expect(statSync(passwordsFile(dataDir)).mode & 0o777).toBe(0o600)
  })

  it('stay the same on the next start', () => {
    const dataDir = freshDataDir()
    expect(natsPasswords(dataDir)).toEqual(natsPasswords(dataDir))
  })

  it('come from the environment where it sets them, and refuse what nats-server would misread', () => {
    const dataDir = freshDataDir()
    process.env.JETNOTES_QUERY_NATS_PASSWORD = 'chosen-by-the-operator'
    expect(natsPasswords(dataDir)['query-service']).toBe('chosen-by-the-operator')
    process.env.JETNOTES_QUERY_NATS_PASSWORD = '1234567890123456789'
    expect(() => natsPasswords(dataDir)).toThrow(/JETNOTES_QUERY_NATS_PASSWORD/)
  })

  it("write the operator's login as NATS_URL, NATS_USER and NATS_PASSWORD lines, 0600", () => {
    const dataDir = freshDataDir()
    const { operator } = natsPasswords(dataDir)
    writeOperatorEnv(dataDir, 'nats://127.0.0.1:4222', operator)

    const file = operatorEnvFile(dataDir)
    expect(parseEnv(readFileSync(file, 'utf8'))).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_USER: 'operator',
      NATS_PASSWORD: operator,
    })
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })
})
