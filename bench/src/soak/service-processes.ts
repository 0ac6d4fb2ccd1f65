import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One service process of a soaked system: its name in faults and logs, its entry, its environment. */
export type SoakService = { name: string; entry: string; env: NodeJS.ProcessEnv }

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const ended = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()))

/**
 * The service processes of a soaked system, with the soak as their supervisor: each runs as a child process
 * (output to `<logDir>/<name>.log`, an IPC channel so it ends itself when the soak goes away); one that ends
 * without a fault asking is recorded in `exits` and started again a second later, as a supervisor would. The
 * one mechanism every `SystemUnderSoak` runs its services with.
 */
export const startServiceProcesses = (logDir: string) => {
  const services = new Map<string, SoakService>()
  const children = new Map<string, ChildProcess>()
  /** Children a fault or the teardown ends: the others' exits are reported and restarted. */
  const ending = new Set<ChildProcess>()
  const exits: { process: string; how: string; at: number }[] = []
  let disposing = false

  const launch = (service: SoakService) => {
    services.set(service.name, service)
    const log = openSync(join(logDir, `${service.name}.log`), 'a')
    const child = spawn(process.execPath, ['--import', 'tsx', service.entry], {
      cwd: repoRoot,
      env: service.env,
      stdio: ['ignore', log, log, 'ipc'],
    })
    closeSync(log)
    children.set(service.name, child)
    child.once('exit', (code, signal) => {
      if (ending.has(child)) return
      exits.push({ process: service.name, how: signal ?? `exit code ${code}`, at: Date.now() })
      setTimeout(() => {
        if (children.get(service.name) === child && !disposing) launch(service)
      }, 1_000)
    })
  }

  return {
    /** Starts a service (again, after `kill`, with the settings it was first started with). */
    launch,
    exits,
    names: () => [...services.keys()],
    pid: (name: string) => children.get(name)?.pid,
    /** SIGKILLs the service and starts it again `downMs` later. */
    kill: async (name: string, downMs: number) => {
      const service = services.get(name)
      if (service === undefined) throw new Error(`no process named ${name}`)
      const child = children.get(name)
      if (child !== undefined) {
        ending.add(child)
        child.kill('SIGKILL')
        await ended(child)
      }
      await sleep(downMs)
      launch(service)
    },
    /** Ends every service (SIGCONT first: a paused one could not). */
    stopAll: async () => {
      disposing = true
      await Promise.all(
        [...children.values()].map((child) => {
          ending.add(child)
          child.kill('SIGCONT')
          child.kill('SIGTERM')
          return ended(child)
        }),
      )
    },
  }
}

export type ServiceProcesses = ReturnType<typeof startServiceProcesses>
