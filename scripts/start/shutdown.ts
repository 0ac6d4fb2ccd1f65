import type { KeptRunning } from './keep-running.ts'
import { children, isRunning, say, stop } from './processes.ts'

/**
 * How a launcher (`npm start`, `npm run cluster`) stops: the services first (a pending restart called off),
 * then the nats-servers, once nothing uses them; a nats-server that is down when shutdown begins stays down.
 * SIGINT, SIGTERM and SIGHUP start it; a second signal a second or more later kills everything at once. The
 * children run in their own process groups and would outlive the launcher: whatever way it exits, they go.
 */
export const launcherShutdown = ({
  services,
  servers,
}: {
  services: readonly KeptRunning[]
  /** The nats-servers this launcher started (none yet, or one that another process runs). */
  servers: () => readonly KeptRunning[]
}) => {
  let stoppingSince: number | undefined

  const shutdown = async (code: number) => {
    if (stoppingSince !== undefined) return
    stoppingSince = Date.now()
    for (const server of servers()) server.stopRestarting()
    say('stopping the services')
    await Promise.all(services.map((service) => service.stop()))
    // Then the nats-servers (even one still starting up), and whatever else still runs.
    const rest = children.filter((child) => isRunning(child))
    if (rest.length > 0) say(`stopping ${rest.map((child) => child.name).join(', ')}`)
    await Promise.all([...servers().map((server) => server.stop()), ...rest.map((child) => stop(child))])
    process.exit(code)
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stoppingSince === undefined) return void shutdown(0)
      // npm forwards the terminal's SIGINT, so one Ctrl-C arrives twice within milliseconds: only a later
      // one is a person asking not to wait any longer.
      if (Date.now() - stoppingSince < 1_000) return
      say('killing everything')
      process.exit(130)
    })
  }
  process.on('exit', () => {
    for (const child of children) if (isRunning(child)) child.child.kill('SIGKILL')
  })

  return {
    shutdown,
    /** A child that exited in a way no restart cures (a configuration error): everything stops, as at start-up. */
    giveUp: () => void shutdown(2),
    stopping: () => stoppingSince !== undefined,
    /** Awaited by start-up once shutdown has begun: it never settles, shutdown() ends the process. */
    shuttingDown: new Promise<never>(() => {}),
  }
}
