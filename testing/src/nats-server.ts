import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  connectNats,
  generatePassword,
  findNatsServer as lookForNatsServer,
  type NatsSettings,
  type NatsUser,
  natsUsers,
  passwordVariables,
} from '@jetnotes/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { type Logger, pino } from 'pino'

/** A nats-server started for a test: its URL, and how to stop, kill or restart it. */
export type NatsServerHandle = {
  /** `nats://127.0.0.1:<port>`. */
  url: string
  port: number
  /** The temp directory given to `-sd`; JetStream's files are in its `jetstream` subdirectory. */
  storeDir: string
  /** How to connect as one of the system's users (each server has passwords of its own). */
  settings: (user: NatsUser) => NatsSettings
  /** The environment a process started against this server needs to log in as `user`: NATS_URL, NATS_USER, NATS_PASSWORD. */
  loginEnv: (user: NatsUser) => Record<'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD', string>
  /**
   * Connects as `user`, as a service does (the one connection policy, see connectNats). A test acting as an
   * operator connects as `operator`. `name` is the client name the server shows (default: the user),
   * `logger` hears about connection changes (default: nobody).
   */
  connect: (user: NatsUser, options?: { name?: string; logger?: Logger }) => Promise<NatsConnection>
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
  stop: () => Promise<void>
  /** Ends the server with a signal (default SIGKILL: a crash) and waits for it to exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>
  /** Stops the server if it runs, then starts it again on the same port and store directory. */
  restart: () => Promise<void>
  /** Stops the server and removes its store directory. */
  [Symbol.asyncDispose]: () => Promise<void>
}

export type NatsServerOptions = {
  /**
   * A configuration file to start with, such as the repo's `nats-server.conf`, so a test runs under the limits
   * `npm start` uses (it must include nats-auth.conf). Its client and monitoring ports are replaced by random
   * ones. Without one, the server runs with the users and permissions of nats-auth.conf alone.
   */
  configFile?: string
}

/** The users and permissions every server of the harness runs with. */
export const authConfig = fileURLToPath(new URL('../../nats-auth.conf', import.meta.url))

/** The nats-server binary (on PATH, or in /usr/sbin or /usr/local/sbin); throws saying how to install it. */
export const findNatsServer = (): string => {
  const binary = lookForNatsServer()
  if (binary === undefined) {
    throw new Error(
      'nats-server not found on PATH, in /usr/sbin or /usr/local/sbin: install it ' +
        '(sudo apt-get install nats-server, or brew install nats-server)',
    )
  }
  return binary
}

const startTimeoutMs = 10_000
const listening = /Listening for client connections on [^\s]+:(\d+)/

// A test worker that ends without disposing its servers would leave them and their files behind.
const running = new Set<ChildProcess>()
const storeDirs = new Set<string>()
const cleanUp = () => {
  for (const child of running) child.kill('SIGKILL')
  for (const directory of storeDirs) rmSync(directory, { recursive: true, force: true })
}
process.once('exit', cleanUp)
// vitest ends its fork workers with SIGTERM, which skips 'exit': clean up, then let the signal do what it would
// have done, unless someone else handles it.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    cleanUp()
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  })
}

/** Strong random passwords for every user, as a fresh server (or cluster) of the harness gets them. */
export const freshPasswords = () =>
  Object.fromEntries(natsUsers.map((user) => [user, generatePassword()])) as Record<NatsUser, string>

/** A fresh temp directory for a server's files, removed when the worker exits if the test did not remove it. */
export const makeStoreDir = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'jetnotes-nats-'))
  storeDirs.add(directory)
  return directory
}

export const removeStoreDir = async (directory: string) => {
  await rm(directory, { recursive: true, force: true })
  storeDirs.delete(directory)
}

/**
 * Spawns nats-server with these arguments, killed when the worker exits if nobody ends it, and resolves with
 * the process and the client port it listens on once it is ready.
 */
export const spawnNatsServer = async (args: string[], passwords: Record<NatsUser, string>) => {
  const child = spawn(findNatsServer(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...passwordVariables(passwords) },
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  return { child, port: await waitUntilReady(child) }
}

/** Sends a signal to the process unless it has ended, and waits for it to exit. */
export const endProcess = async (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/**
 * Starts `nats-server -js` on a random port of 127.0.0.1 with file storage in a fresh temp directory, and
 * resolves once it accepts clients. Every client logs in, as under `npm start`: the server has fresh random
 * passwords for the system's users (nats-auth.conf). Use it with `await using` so it is always torn down.
 */
export const startNatsServer = async (options: NatsServerOptions = {}): Promise<NatsServerHandle> => {
  const storeDir = await makeStoreDir()
  const config =
    options.configFile === undefined ? ['-c', authConfig] : ['-c', resolve(options.configFile), '-m', '-1']
  const passwords = freshPasswords()
  let child: ChildProcess | undefined

  const launch = async (port: number) => {
    const args = [...config, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir]
    const started = await spawnNatsServer(args, passwords)
    child = started.child
    return started.port
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child === undefined) return
    const target = child
    child = undefined
    await endProcess(target, name)
  }

  let port: number
  try {
    // -1: nats-server picks a free port and says which in its log.
    port = await launch(-1)
  } catch (error) {
    await removeStoreDir(storeDir)
    throw error
  }
  const url = `nats://127.0.0.1:${port}`
  const settings = (user: NatsUser) => ({ url, user, password: passwords[user] })
  return {
    url,
    port,
    storeDir,
    settings,
    loginEnv: (user) => ({ NATS_URL: url, NATS_USER: user, NATS_PASSWORD: passwords[user] }),
    connect: (user, { name = user, logger = pino({ level: 'silent' }) } = {}) =>
      connectNats(settings(user), { name, logger }),
    stop: () => signal('SIGTERM'),
    kill: (name = 'SIGKILL') => signal(name),
    restart: async () => {
      await signal('SIGTERM')
      await launch(port)
    },
    [Symbol.asyncDispose]: async () => {
      await signal('SIGTERM')
      await removeStoreDir(storeDir)
    },
  }
}

/** Reads the server's log until it is ready, and resolves with the port it listens on. */
const waitUntilReady = (child: ChildProcess) =>
  new Promise<number>((resolve, reject) => {
    let log = ''
    const onData = (chunk: Buffer) => {
      log += chunk.toString()
      const port = listening.exec(log)?.[1]
      if (port === undefined || !log.includes('Server is ready')) return
      done()
      resolve(Number(port))
    }
    const onExit = (code: number | null) => {
      done()
      reject(new Error(`nats-server exited with code ${code}:\n${log}`))
    }
    const onError = (error: Error) => {
      done()
      reject(new Error(`nats-server did not start: ${error.message}`, { cause: error }))
    }
    const timer = setTimeout(() => {
      done()
      child.kill('SIGKILL')
      reject(new Error(`nats-server was not ready within ${startTimeoutMs / 1000} s:\n${log}`))
    }, startTimeoutMs)
    const done = () => {
      clearTimeout(timer)
      child.off('exit', onExit)
      child.off('error', onError)
      for (const stream of [child.stdout, child.stderr]) {
        stream?.off('data', onData)
        // Keep draining the pipes so the server never blocks on a full buffer.
        stream?.resume()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', onError)
  })
