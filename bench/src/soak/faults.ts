import { seededRandom } from '@jetnotes/testing'
import type { SystemUnderSoak } from './system-under-soak.ts'

/** A fault the soak injected: when (ms after the workload began), what, to which process, for how long. */
export type InjectedFault = {
  atMs: number
  kind: 'SIGKILL' | 'SIGSTOP'
  process: string
  /** The process a role (`notes-leader`) named when the fault came. */
  hit?: string
  /** How long the process was down (SIGKILL, until restarted) or paused (SIGSTOP, until SIGCONT). */
  forMs: number
  /** Why the fault could not be injected, if it could not. */
  error?: string
}

/**
 * Injects random faults one after another until `until`: a SIGKILL (the process is restarted after a while) or
 * a SIGSTOP (SIGCONT after a while) of a random one of `targets`, about every `everyMs`, drawn from `seed`.
 */
export const injectFaults = async ({
  system,
  targets,
  seed,
  startedAt,
  until,
  everyMs,
}: {
  system: SystemUnderSoak
  targets: readonly string[]
  seed: number
  startedAt: number
  until: number
  everyMs: number
}) => {
  const random = seededRandom(seed * 104_729 + 1)
  const injected: InjectedFault[] = []
  for (;;) {
    if (targets.length === 0) break
    const gap = everyMs * (0.5 + random())
    if (Date.now() + gap >= until) break
    await new Promise((resolve) => setTimeout(resolve, gap))
    const process = targets[Math.floor(random() * targets.length)] as string
    const kind = random() < 0.6 ? 'SIGKILL' : 'SIGSTOP'
    const forMs = Math.round(500 + 2_500 * random())
    const fault: InjectedFault = { atMs: Date.now() - startedAt, kind, process, forMs }
    injected.push(fault)
    try {
      const hit = system.roles?.includes(process) ? await system.resolveRole?.(process) : undefined
      if (hit !== undefined) fault.hit = hit
      const target = hit ?? process
      await (kind === 'SIGKILL' ? system.kill(target, forMs) : system.pause(target, forMs))
    } catch (error) {
      fault.error = error instanceof Error ? error.message : String(error)
    }
  }
  return injected
}
