import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const colours = [36, 33, 35, 32, 34, 31]
const width = 10
const kept = 20

/** A child process whose output is printed line by line behind its name. */
export type Supervised = {
  name: string
  child: ChildProcess
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<number | null>
  /** Its last lines of output, for error messages. */
  recent: string[]
}

export type SuperviseOptions = {
  /** Position in the launcher's list: picks the colour. */
  index: number
  env?: NodeJS.ProcessEnv
  /** Opens an IPC channel, so a node service notices (`disconnect`) when the launcher dies. */
  ipc?: boolean
  /** Own process group (default): a terminal Ctrl-C reaches only the launcher, which stops children in order. */
  detached?: boolean
  onLine?: (line: string) => void
  /** Prints nothing: its last lines are kept for an error message all the same. */
  quiet?: boolean
}

/** Every process started and still running, so none is left behind whatever way the launcher ends. */
export const children: Supervised[] = []

/** Starts a process and prefixes every line it prints with its name. */
export const supervise = (
  name: string,
  command: string,
  args: string[],
  options: SuperviseOptions,
): Supervised => {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    detached: options.detached ?? true,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  })
  const recent: string[] = []
  const prefix = prefixOf(name, options.index)
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (!options.quiet) process.stdout.write(`${prefix}${line}\n`)
      recent.push(line)
      if (recent.length > kept) recent.shift()
      options.onLine?.(line)
    })
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', (error) => {
      process.stdout.write(`${prefix}failed to start: ${error.message}\n`)
      resolve(1)
    })
  })
  const supervised = { name, child, exited, recent }
  children.push(supervised)
  // A process restarted for days would otherwise leave every one of its past runs in the list.
  void exited.then(() => children.splice(children.indexOf(supervised), 1))
  return supervised
}

export const isRunning = ({ child }: Supervised) =>
  child.pid !== undefined && child.exitCode === null && child.signalCode === null

/** "exit code 1" or "signal SIGKILL". */
export const howItEnded = ({ child }: Supervised) =>
  child.signalCode !== null ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`

/** Asks a process to stop (SIGTERM), then kills it if it has not exited within `graceMs`. */
export const stop = async (target: Supervised, graceMs = 10_000) => {
  if (!isRunning(target)) return
  target.child.kill('SIGTERM')
  const timer = setTimeout(() => {
    say(`${target.name} did not stop within ${graceMs / 1000} s: killing it`)
    target.child.kill('SIGKILL')
  }, graceMs)
  await target.exited
  clearTimeout(timer)
}

/** Prints a launcher message with the same kind of prefix the children get. */
export const say = (message: string) => process.stdout.write(`${prefixOf('start', -1)}${message}\n`)

const prefixOf = (name: string, index: number) => {
  const label = `${name.padEnd(width)}|`
  if (!process.stdout.isTTY) return `${label} `
  // The launcher's own lines are bold; children get a colour each.
  const colour = index < 0 ? 1 : (colours[index % colours.length] ?? 0)
  return `\u001b[${colour}m${label}\u001b[0m `
}
