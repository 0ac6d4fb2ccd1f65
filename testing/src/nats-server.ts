import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findNatsServer } from '@jetnotes/platform'

/** A nats-server started for a test: its URL, and how to stop, kill or restart it. */
export type NatsServerHandle = {
  url: string
  port: number
  storeDir: string
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
  stop: () => Promise<void>
  /** Kills the server (default SIGKILL) and waits for it to exit: a crash. */
  kill: (signal?: NodeJS.Signals) => Promise<void>
  /** Starts the server again on the same port and store directory (after stop or kill). */
  restart: () => Promise<void>
  /** Stops the server and removes its store directory. */
  [Symbol.asyncDispose]: () => Promise<void>
}

/** The nats-server binary, or a clear error saying how to install it. */
const natsServerBinary = (): string => {
  const binary = findNatsServer()
  if (binary === undefined) {
    throw new Error(
      'nats-server not found: install it (apt-get install nats-server, or brew install nats-server)',
    )
  }
  return binary
}

const listening = /Listening for client connections on [^\s]+:(\d+)/

/**
 * Starts `nats-server -js` on a random port with file storage in a fresh temp directory, and resolves once it
 * accepts clients. Use with `await using` so it is always torn down.
 */
export const startNatsServer = async (): Promise<NatsServerHandle> => {
  const binary = natsServerBinary()
  const storeDir = await mkdtemp(join(tmpdir(), 'jetnotes-nats-'))
  let port = -1
  let child: ChildProcess | undefined

  const launch = async () => {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir]
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    port = await waitForPort(started)
  }
  const exited = (process_: ChildProcess) =>
    process_.exitCode !== null || process_.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => process_.once('exit', () => resolve()))
  const signal = async (name: NodeJS.Signals) => {
    if (child === undefined) return
    const running = child
    child = undefined
    const done = exited(running)
    running.kill(name)
    await done
  }

  await launch()
  return {
    get url() {
      return `nats://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    storeDir,
    stop: () => signal('SIGTERM'),
    kill: (name = 'SIGKILL') => signal(name),
    restart: async () => {
      await signal('SIGTERM')
      await launch()
    },
    [Symbol.asyncDispose]: async () => {
      await signal('SIGTERM')
      await rm(storeDir, { recursive: true, force: true })
    },
  }
}

/** Reads the server's log until it says which port it listens on. */
const waitForPort = (child: ChildProcess) =>
  new Promise<number>((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => fail(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000)
    const onData = (chunk: Buffer) => {
      log += chunk.toString()
      const match = listening.exec(log)
      if (match?.[1] !== undefined && log.includes('Server is ready')) {
        clearTimeout(timer)
        child.stderr?.off('data', onData)
        child.stdout?.off('data', onData)
        // Keep draining the pipes so the server never blocks on a full buffer.
        child.stderr?.resume()
        child.stdout?.resume()
        resolve(Number(match[1]))
      }
    }
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.stderr?.on('data', onData)
    child.stdout?.on('data', onData)
    child.once('exit', (code) => fail(new Error(`nats-server exited with ${code}:\n${log}`)))
  })
