import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { NatsServerHandle } from './nats-server.ts'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The projector as `npm start` runs it: its own process, which a test can signal (SIGKILL to crash it, SIGSTOP
 * and SIGCONT to stall it). `env` adds to the environment (e.g. `PROJECTOR_BATCH_SIZE`, or `PROJECTOR_PORT` for
 * its metrics and health: none by default, so that several can run).
 */
export const startProjectorProcess = (nats: NatsServerHandle, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'projector/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...nats.loginEnv('projector'), LOG_LEVEL: 'error', PROJECTOR_PORT: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  )
  return {
    child,
    exited,
    /** Kills it without warning (a stopped process too); resolves with how it ended. */
    kill: async () => {
      child.kill('SIGKILL')
      return exited
    },
  }
}

export type ProjectorProcess = ReturnType<typeof startProjectorProcess>
