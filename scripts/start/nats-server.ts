import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createConnection } from 'node:net'
import { findNatsServer, type NatsUser, passwordVariables } from '@jetnotes/platform'
import { type Supervised, say, supervise } from './processes.ts'

const howToInstall = [
  'nats-server is not installed. Get it with one of:',
  '  sudo apt-get install nats-server     (Debian, Ubuntu)',
  '  brew install nats-server             (macOS)',
  '  docker compose up                    (runs the whole system in containers, nats-server included)',
  'or point NATS_URL at a running nats-server (2.9 or later, JetStream enabled).',
].join('\n')

const readyTimeoutMs = 15_000

/**
 * The nats-server binary. On Debian as root it is installed with apt-get when missing (JETNOTES_NO_AUTO_INSTALL=1
 * turns that off); anywhere else the launcher says how to get it and returns undefined.
 */
export const natsServerBinary = async (): Promise<string | undefined> => {
  const found = findNatsServer()
  if (found !== undefined) return found
  const canInstall =
    process.env.JETNOTES_NO_AUTO_INSTALL !== '1' &&
    process.getuid?.() === 0 &&
    existsSync('/etc/debian_version') &&
    spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
  if (canInstall) {
    say('nats-server is missing: installing it with apt-get')
    // A fresh machine or container may have no package lists yet; update only then, it is slow.
    if (!(await aptGet('install', '-y', 'nats-server'))) {
      await aptGet('update')
      await aptGet('install', '-y', 'nats-server')
    }
  }
  const installed = findNatsServer()
  if (installed === undefined) console.error(howToInstall)
  return installed
}

const aptGet = async (...args: string[]) => {
  const run = supervise('apt-get', 'apt-get', args, {
    index: 5,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    // In the terminal's process group, so a Ctrl-C during the install stops apt-get as well.
    detached: false,
  })
  return (await run.exited) === 0
}

/**
 * Starts nats-server with the repo's configuration and resolves once it accepts connections. It listens on
 * 127.0.0.1 only, the services reach it locally; so does its monitoring port (0: none), which needs no login.
 * It reads the users' passwords from its environment (nats-auth.conf).
 */
export const startNatsServer = async (
  binary: string,
  ports: { client: number; monitor: number },
  dataDir: string,
  passwords: Record<NatsUser, string>,
): Promise<Supervised> => {
  const port = ports.client
  // `-sd` is the store directory; nats-server keeps JetStream's files in <store dir>/jetstream.
  mkdirSync(dataDir, { recursive: true })
  const monitor = ports.monitor === 0 ? [] : ['-m', String(ports.monitor)]
  const args = ['-c', 'nats-server.conf', '-a', '127.0.0.1', '-p', String(port), ...monitor, '-sd', dataDir]
  return startNatsProcess({ name: 'nats', binary, args, passwords, index: 0 }, async () => {
    if (!(await accepts(port))) throw new Error(`nats-server does not accept connections on port ${port}`)
  })
}

/**
 * Runs one nats-server process (of `npm start` or of the cluster) and resolves once it says it is ready (and
 * `check` passes): the port alone could be answered by another server left running, the line proves it is ours.
 * Rejects, with its last lines, if it exits or is not ready in time, and then kills it: its own process group
 * would outlive the launcher.
 */
export const startNatsProcess = async (
  {
    name,
    binary,
    args,
    passwords,
    index,
  }: { name: string; binary: string; args: string[]; passwords: Record<NatsUser, string>; index: number },
  check: () => Promise<void> = async () => {},
): Promise<Supervised> => {
  let markReady = () => {}
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })
  const server = supervise(name, binary, args, {
    index,
    env: { ...process.env, ...passwordVariables(passwords) },
    onLine: (line) => {
      if (line.includes('Server is ready')) markReady()
    },
  })
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      ready,
      server.exited.then((code) => Promise.reject(new Error(`${name} exited with code ${code}`))),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name} was not ready within ${readyTimeoutMs / 1000} s`)),
          readyTimeoutMs,
        )
      }),
    ])
    await check()
    return server
  } catch (error) {
    server.child.kill('SIGKILL')
    const log = server.recent.slice(-5).map((line) => `  ${line}`)
    const message = error instanceof Error ? error.message : String(error)
    throw new Error([message, 'Its last lines:', ...log].join('\n'), { cause: error })
  } finally {
    clearTimeout(timer)
  }
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
