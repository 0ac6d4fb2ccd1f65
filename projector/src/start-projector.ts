import { type ProjectionName, projectionNames, projections, shapeOf } from '@jetnotes/schemas'
import { holderId, Lease, LeaseLost } from './lease.ts'
import type { ProjectorMetrics } from './metrics.ts'
import type { Projection } from './projections/projection.ts'
import type { ProjectorDeps } from './projector-deps.ts'
import { rebuildProjection } from './rebuild.ts'
import { ProjectionRunner, type RunnerOptions } from './runner.ts'

export type ProjectorOptions = RunnerOptions & {
  /** How long a projection's lease lasts unrenewed: a standby takes over this long after the holder dies. */
  leaseMs?: number
  /** This process in leases and logs (default: host, pid and a random part). */
  holder?: string
}

export const defaultLeaseMs = 3_000

/**
 * What this process does with a projection now: `starting` (first turn), `standing-by` (another holds it),
 * `upgrading` (holds it, rebuilding an older shape), `folding` (holds it, its consumer runs), `recovering`
 * (a turn failed: waiting to try again).
 */
export type TurnState = 'starting' | 'standing-by' | 'upgrading' | 'folding' | 'recovering'

/**
 * Runs every projection it can hold: several projector processes may run, and each projection is folded by
 * exactly one of them, the holder of its lease; the others stand by and take over when the holder stops or
 * dies. The holder first brings a live generation of an older shape (written by an older release) to the
 * current one with a blue/green rebuild, while the query-service goes on reading the old one, then folds new
 * events into the live generation. Resolves once each projection is folded here or stood by for.
 */
export const startProjector = async (
  deps: ProjectorDeps,
  catalog: Readonly<Record<ProjectionName, Projection>>,
  options: ProjectorOptions = {},
) => {
  const holder = options.holder ?? holderId()
  // Each projection on its own: one being upgraded does not hold up the others, and each may have its holder.
  const turns = projectionNames.map((name) => new ProjectionTurns(deps, catalog[name], holder, options))
  await Promise.all(turns.map((turn) => turn.start()))
  return {
    holder,
    /** What this process does with each projection now. */
    states: (): Record<ProjectionName, TurnState> =>
      Object.fromEntries(turns.map((turn) => [turn.name, turn.state])) as Record<ProjectionName, TurnState>,
    stop: () => Promise.all(turns.map((turn) => turn.stop())).then(() => undefined),
  }
}

export type RunningProjector = Awaited<ReturnType<typeof startProjector>>

/**
 * One projection in this process: stands by until it holds the lease, then upgrades and folds it until it
 * loses the lease, the runner finds another writer, or the projector stops (which releases the lease at once);
 * then stands by again.
 */
class ProjectionTurns {
  readonly #stopping = new AbortController()
  #running: Promise<void> | undefined
  #state: TurnState = 'starting'

  constructor(
    private readonly deps: ProjectorDeps,
    private readonly projection: Projection,
    private readonly holder: string,
    private readonly options: ProjectorOptions,
  ) {}

  /** Resolves once this process folds the projection or stands by for it; rejects if the first turn fails. */
  start(): Promise<void> {
    return new Promise((ready, failed) => {
      this.#running = this.#turns(ready, failed)
    })
  }

  async stop(): Promise<void> {
    this.#stopping.abort()
    await this.#running
  }

  get name(): ProjectionName {
    return this.projection.name
  }

  get state(): TurnState {
    return this.#state
  }

  #enter(state: TurnState) {
    this.#state = state
    this.options.metrics?.held(this.projection.name, state === 'folding')
  }

  async #turns(ready: () => void, failed: (error: unknown) => void) {
    const { generations, logger } = this.deps
    const projection = this.projection.name
    let started = false
    let backoffMs = 250
    while (!this.#stopping.signal.aborted) {
      const lease = new Lease(generations.meta, projection, this.holder, logger, {
        leaseMs: this.options.leaseMs ?? defaultLeaseMs,
      })
      const lost = new AbortController()
      try {
        const held = await lease.acquire(this.#stopping.signal, (holder) => {
          logger.info({ projection, holder: this.holder, heldBy: holder }, 'standing by for the projection')
          this.#enter('standing-by')
          started = true
          ready()
        })
        if (!held) return
        logger.info({ projection, holder: this.holder }, 'holding the projection: folding it here')
        // Only the holder upgrades, and stops upgrading if it loses the lease.
        void lease.ended.then(() => lost.abort(new LeaseLost(projection)))
        this.#enter('upgrading')
        await upgrade(this.deps, this.projection, lost.signal, this.options.metrics)
        const runner = new ProjectionRunner(this.projection, generations, logger, this.options, lease)
        await runner.start()
        this.#enter('folding')
        started = true
        ready()
        backoffMs = 250
        await Promise.race([lease.ended, runner.fenced, aborted(this.#stopping.signal)])
        this.#enter('standing-by')
        await runner.stop()
      } catch (error) {
        // An upgrade cut short by the lease running out (a stall) is no failure to start: whoever holds the
        // lease now upgrades, and this process stands by.
        if (!started && !lost.signal.aborted) {
          failed(error)
          return
        }
        started = true
        ready()
        this.#enter('recovering')
        logger.error({ err: error, projection }, 'the projection failed; standing by again')
        await new Promise((resolve) => setTimeout(resolve, backoffMs))
        backoffMs = Math.min(backoffMs * 2, 10_000)
      } finally {
        await lease.release()
      }
    }
  }
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })

const upgrade = async (
  deps: ProjectorDeps,
  projection: Projection,
  signal: AbortSignal,
  metrics: ProjectorMetrics | undefined,
) => {
  const pointer = await deps.generations.pointer(projection.name)
  const shape = projections[projection.name].shape
  if (pointer === undefined || shapeOf(pointer) >= shape) return
  const { logger } = deps
  logger.warn(
    { projection: projection.name, generation: pointer.generation, from: shapeOf(pointer), to: shape },
    'the live generation has an older shape: rebuilding it; reads go on from the old one until the switch',
  )
  let reported = 0
  // Folding goes on as soon as the pointer switches; the old generation is removed after the grace period.
  await new Promise<void>((switched, failed) => {
    rebuildProjection(deps, projection, {
      signal,
      onProgress: (progress) => {
        metrics?.upgraded(projection.name, progress)
        if (progress.phase === 'cleanup') switched()
        if (performance.now() - reported < 2_000 && progress.phase !== 'switch') return
        reported = performance.now()
        logger.info({ projection: projection.name, ...progress }, 'upgrade rebuild')
      },
    }).then(
      (result) => logger.info({ projection: projection.name, ...result }, 'upgraded to the current shape'),
      (error: unknown) => {
        logger.error({ err: error, projection: projection.name }, 'the upgrade rebuild failed')
        failed(error)
      },
    )
  })
}
