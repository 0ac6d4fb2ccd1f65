import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from './free-ports.ts'
import { type HttpClient, httpClient } from './http-client.ts'
import type { NatsServerHandle } from './nats-server.ts'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export type CommandServiceProcessOptions = {
  /** Node options before the entry point (the benchmark's `--cpu-prof`). */
  execArgv?: readonly string[]
  /** Where its output goes: the test's own (default), or nowhere (its log lines at info, one per request). */
  output?: 'inherit' | 'ignore'
}

/**
 * The command-service as `npm start` runs it: its own process (its own cache, its own connection), listening on
 * a free port, resolved once `/readyz` answers 200. `env` adds to the environment (e.g. `STREAM_REPLICAS`).
 */
export const startCommandServiceProcess = async (
  nats: NatsServerHandle,
  env: Record<string, string> = {},
  { execArgv = [], output = 'inherit' }: CommandServiceProcessOptions = {},
): Promise<CommandServiceProcess> => {
  const port = await freePort()
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', 'command-service/src/server.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...nats.loginEnv('command-service'),
      HOST: '127.0.0.1',
      COMMAND_PORT: String(port),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', output, 'inherit'],
  })
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  )
  const api = httpClient(`http://127.0.0.1:${port}`)
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    const ready = await fetch(`${api.base}/readyz`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`the command-service process did not get ready (exit: ${child.exitCode})`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, api, exited, stop, [Symbol.asyncDispose]: stop }
}

export type CommandServiceProcess = {
  child: ReturnType<typeof spawn>
  api: HttpClient
  exited: Promise<NodeJS.Signals | number | null>
  /** Stops it gracefully (SIGTERM) and waits for it to exit. */
  stop: () => Promise<void>
  [Symbol.asyncDispose]: () => Promise<void>
}
