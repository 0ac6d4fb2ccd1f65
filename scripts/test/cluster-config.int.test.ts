import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { passwordVariables } from '@jetnotes/platform'
import { findNatsServer } from '@jetnotes/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { clusterNodes, writeNodeConfigs } from '../cluster/nats-nodes.ts'

const repoConfig = fileURLToPath(new URL('../../nats-server.conf', import.meta.url))
const directories: string[] = []
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

describe("npm run cluster's nats-server configurations", () => {
  it('are valid for nats-server, each naming its node and routing to all three with one route login', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jetnotes-cluster-'))
    directories.push(dataDir)
    const nodes = clusterNodes(join(dataDir, 'cluster'), 3, { client: 4231, route: 6231, monitor: 0 })
    writeNodeConfigs(nodes, repoConfig)

    const password = 'jn_abcdefghijklmnopqrstuvwxyz'
    const env = {
      ...process.env,
      ...passwordVariables({
        'command-service': password,
        projector: password,
        'query-service': password,
        operator: password,
      }),
    }
    const logins = new Set<string>()
    for (const node of nodes) {
      // -t: parse the configuration (the included nats-server.conf and nats-auth.conf too) and exit.
      const check = spawnSync(findNatsServer(), ['-c', node.configFile, '-t'], { env, encoding: 'utf8' })
      expect(check.status, check.stderr).toBe(0)
      const text = readFileSync(node.configFile, 'utf8')
      expect(text).toContain(`server_name: ${node.name}`)
      expect(text).toContain(`listen: 127.0.0.1:${node.routePort}`)
      for (const port of [6231, 6232, 6233]) expect(text).toMatch(new RegExp(`@127\\.0\\.0\\.1:${port}"`))
      for (const match of text.matchAll(/nats:\/\/(route:[^@]+)@/g)) logins.add(match[1] as string)
      // The route login is in the file: only its owner may read it.
      expect(statSync(node.configFile).mode & 0o777).toBe(0o600)
    }
    expect(logins.size).toBe(1)
  })
})
