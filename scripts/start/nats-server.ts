import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createConnection } from 'node:net'
import { findNatsServer } from '@jetnotes/platform'
import { type Supervised, say, supervise } from './processes.ts'

const howToInstall = [
  'nats-server is not installed. Get it with one of:',
  '  sudo apt-get install nats-server     (Debian, Ubuntu)',
  '  brew install nats-server             (macOS)',
  '  docker compose up                    (runs the whole system in containers, nats-server included)',
  'or point NATS_URL at a running nats-server (2.9 or later, JetStream enabled).',
].join('\n')

/**
 * The nats-server binary. On Debian as root it is installed with apt-get when missing (JETNOTES_NO_AUTO_INSTALL=1
 * turns that off); anywhere else the launcher stops and says how to get it.
 */
export const natsServerBinary = (): string | undefined => {
  const found = findNatsServer()
  if (found !== undefined) return found
  const canInstall =
    process.env.JETNOTES_NO_AUTO_INSTALL !== '1' &&
    process.getuid?.() === 0 &&
    existsSync('/etc/debian_version') &&
    spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
  if (!canInstall) {
    console.error(howToInstall)
    return undefined
  }
  say('nats-server is missing: installing it with apt-get')
  const install = () =>
    spawnSync('apt-get', ['install', '-y', 'nats-server'], { stdio: 'inherit' }).status === 0
  if (!install()) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' })
    if (!install()) {
      console.error(howToInstall)
      return undefined
    }
  }
  return findNatsServer()
}

/** Starts nats-server with the repo's configuration and waits until it accepts connections. */
export const startNatsServer = async (binary: string, port: number, dataDir: string): Promise<Supervised> => {
  // nats-server keeps its JetStream files in <store dir>/jetstream.
  mkdirSync(dataDir, { recursive: true })
  const server = supervise('nats', binary, ['-c', 'nats-server.conf', '-p', String(port), '-sd', dataDir], {
    index: 0,
  })
  const deadline = Date.now() + 10_000
  while (!(await accepts(port))) {
    if (server.child.exitCode !== null)
      throw new Error(`nats-server exited with code ${server.child.exitCode}`)
    if (Date.now() > deadline)
      throw new Error(`nats-server did not accept connections on port ${port} within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return server
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.end()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
