import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const colours = [36, 33, 35, 32, 34, 31]
const width = 9

/** A child process whose output is printed line by line behind its name. */
export type Supervised = { name: string; child: ChildProcess; exited: Promise<number | null> }

/**
 * Starts a process in its own process group (so a terminal Ctrl-C reaches only the launcher, which then stops
 * the children in order) and prefixes every line it prints with its name.
 */
export const supervise = (
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean; index: number },
): Supervised => {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  })
  const colour = colours[options.index % colours.length] ?? 0
  const label = name.padEnd(width)
  const prefix = process.stdout.isTTY ? `\u001b[${colour}m${label}|\u001b[0m ` : `${label}| `
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`))
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', (error) => {
      process.stdout.write(`${prefix}failed to start: ${error.message}\n`)
      resolve(1)
    })
  })
  return { name, child, exited }
}

/** Asks a process to stop (SIGTERM), then kills it if it has not exited within `graceMs`. */
export const stop = async (process_: Supervised, graceMs = 10_000) => {
  if (process_.child.exitCode !== null || process_.child.signalCode !== null) return
  process_.child.kill('SIGTERM')
  const timer = setTimeout(() => process_.child.kill('SIGKILL'), graceMs)
  await process_.exited
  clearTimeout(timer)
}

/** Prints a launcher message with the same kind of prefix the children get. */
export const say = (message: string) => process.stdout.write(`${'start'.padEnd(width)}| ${message}\n`)
