import { type Backoff, defaultBackoff, nextAttempt, restartDelay } from './backoff.ts'
import { removePidFile, writePidFile } from './pid-files.ts'
import { howItEnded, isRunning, type Supervised, say, stop } from './processes.ts'

export type KeepRunningOptions = {
  /** How the launcher's lines name it. */
  name: string
  /**
   * Starts the process and resolves once it serves. Called again for every restart, with the same settings (a
   * nats-server keeps its ports, store directory and passwords). A rejection counts as a crash, but on the first
   * start, which ends the supervision (a bad configuration or a port in use is for a person to fix).
   */
  start: () => Promise<Supervised> | Supervised
  backoff?: Backoff
  /** Holds the pid of the process running now (see `pidFileOf`); removed when it exits. */
  pidFile?: string
  /** Exit codes no restart can cure: a service's configuration error exits with 2. */
  fatalExitCodes?: readonly number[]
  /** Called once when the process exits with a fatal code: nothing restarts it any more. */
  onGiveUp?: (reason: string) => void
}

/** A process kept running by `keepRunning`. */
export type KeptRunning = {
  name: string
  /** The process running now, if any (none between a crash and its restart). */
  readonly current: Supervised | undefined
  /** Resolves with the first process once it serves; rejects when the first start failed. */
  readonly started: Promise<Supervised>
  /** Restarts so far. */
  readonly restarts: number
  /** Calls off a pending restart and every later one, leaving a running process running (until `stop()`). */
  stopRestarting: () => void
  /** Stops it for good: cancels a pending restart, then stops the process (SIGTERM, SIGKILL after 10 s). */
  stop: () => Promise<void>
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/**
 * Keeps a process running: when it exits without being asked to, the launcher says how it ended and starts it
 * again after a delay that doubles with each crash in a row (`Backoff`), until `stop()`. The one supervision
 * mechanism `npm start` uses for nats-server and every service; a launcher of several of each uses it per process.
 */
export const keepRunning = (options: KeepRunningOptions): KeptRunning => {
  const { name } = options
  const backoff = options.backoff ?? defaultBackoff
  let current: Supervised | undefined
  let stopping = false
  let restarting = true
  let attempt = 0
  let restarts = 0
  let timer: NodeJS.Timeout | undefined
  let starting: Promise<unknown> = Promise.resolve()

  const launch = async (restart: boolean): Promise<Supervised> => {
    const startedAt = Date.now()
    const launched = await options.start()
    if (stopping) {
      await stop(launched)
      return launched
    }
    current = launched
    const pid = launched.child.pid ?? 0
    if (options.pidFile !== undefined) writePidFile(options.pidFile, pid)
    if (restart) say(`${name} is running again (pid ${pid}, restart ${restarts})`)
    void launched.exited.then((code) => {
      if (options.pidFile !== undefined) removePidFile(options.pidFile, pid)
      if (current === launched) current = undefined
      if (stopping || !restarting) return
      const ended = `exited unexpectedly (${howItEnded(launched)}) after ${seconds(Date.now() - startedAt)}`
      if (code !== null && options.fatalExitCodes?.includes(code)) {
        say(`${name} ${ended}: restarting cannot cure that, giving up`)
        options.onGiveUp?.(`${name} ${ended}`)
        return
      }
      scheduleRestart(ended, Date.now() - startedAt)
    })
    return launched
  }

  const scheduleRestart = (reason: string, upMs: number) => {
    attempt = nextAttempt(attempt, upMs, backoff)
    const delay = restartDelay(attempt, backoff)
    say(`${name} ${reason}; restarting in ${seconds(delay)} (attempt ${attempt} in a row)`)
    timer = setTimeout(() => {
      timer = undefined
      restarts++
      starting = launch(true).catch((error: unknown) => {
        if (stopping) return
        const message = error instanceof Error ? error.message : String(error)
        scheduleRestart(`could not start: ${message}`, 0)
      })
    }, delay)
  }

  const started = launch(false)
  starting = started
  return {
    name,
    get current() {
      return current
    },
    started,
    get restarts() {
      return restarts
    },
    stopRestarting: () => {
      restarting = false
      clearTimeout(timer)
    },
    stop: async () => {
      stopping = true
      clearTimeout(timer)
      // A start in progress ends (with a process, stopped at once, or with an error) before this resolves.
      await starting.catch(() => {})
      if (current !== undefined && isRunning(current)) await stop(current)
    },
  }
}
