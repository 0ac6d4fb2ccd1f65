import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { isWrongLastSequence } from '@jetnotes/platform'
import { metaKeys, type ProjectionLease, type ProjectionName } from '@jetnotes/schemas'
import type { KV, KvEntry } from '@nats-io/kv'
import type { Logger } from 'pino'

/** Why work this process did as a projection's holder was cut short: another process holds it now. */
export class LeaseLost extends Error {
  constructor(projection: string) {
    super(`lost the lease of projection ${projection}`)
    this.name = 'LeaseLost'
  }
}

/** Who this process is in leases and logs: host, pid and a random part (a restarted process is another holder). */
export const holderId = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

/** What a runner asks before it folds a batch and before it acknowledges one: may it still fold? */
export type Fence = { holds(): boolean }

/** A fence for what runs alone by construction (a rebuild's replay, a test's single runner). */
export const alwaysHeld: Fence = { holds: () => true }

export type LeaseOptions = {
  /**
   * How long the lease lasts without a renewal: a standby takes over this long after it last saw the holder
   * renew. The holder renews three times per period and stops folding as soon as its own last renewal is
   * that old, so it has stopped before anyone takes over.
   */
  leaseMs: number
}

/** The entry as a standby last saw it, and when it saw it change (its own clock: clocks need not agree). */
type Seen = { revision: number; holder: string | undefined; at: number }

/**
 * The lease on one projection, an entry of the meta bucket (`lease.<projection>`) that exactly one projector
 * process holds at a time. Taken with a compare-and-set (on "nothing there", or on the revision of an expired
 * or released lease), renewed with a compare-and-set on its own revision, released by deleting it (standbys
 * watch the entry and take over at once). A holder that cannot renew in time, or finds it taken, has lost it.
 */
export class Lease implements Fence {
  readonly #key: string
  readonly #renewMs: number
  /** Our entry's revision while we hold the lease. */
  #revision: number | undefined
  /** Until when (this process's clock) the lease is ours for sure: our last renewal's sending time + the period. */
  #validUntil = 0
  #since = ''
  #renewing: NodeJS.Timeout | undefined
  #renewal: Promise<void> | undefined
  #ended: (reason: string) => void = () => {}
  /** Resolves, with why, once the lease is lost or released. */
  readonly ended: Promise<string>

  constructor(
    private readonly meta: KV,
    readonly projection: ProjectionName,
    readonly holder: string,
    private readonly logger: Logger,
    private readonly options: LeaseOptions,
  ) {
    this.#key = metaKeys.lease(projection)
    this.#renewMs = Math.max(50, Math.floor(options.leaseMs / 3))
    this.ended = new Promise((resolve) => {
      this.#ended = resolve
    })
  }

  holds(): boolean {
    return this.#revision !== undefined && performance.now() < this.#validUntil
  }

  /**
   * Waits until this process holds the lease: at once when nobody does (or this process did), else when the
   * holder releases it or stops renewing it. Calls `onStandby` (with the holder) once if it has to wait. Resolves false if `signal`
   * aborts first.
   */
  async acquire(signal: AbortSignal, onStandby: (holder: string | undefined) => void): Promise<boolean> {
    if (signal.aborted) return false
    // Free, or ours (from before NATS went away, say): taken at once, with a read any replica answers and a
    // compare-and-set, and no watch. A watch is a consumer created by the cluster's meta leader, which a
    // saturated cluster answers late: a projector that lost its lease when a server died could not take it back
    // while a create load went on (every attempt's watch timed out; bench/README.md, issue 16).
    const current = await this.meta.get(this.#key)
    const holder = current === null ? undefined : holderOf(current)
    if ((holder === undefined || holder === this.holder) && (await this.#take(current?.revision ?? 0)))
      return true
    let seen: Seen | undefined
    let wake: (() => void) | undefined
    const see = (entry: KvEntry) => {
      if (seen !== undefined && entry.revision <= seen.revision) return
      seen = { revision: entry.revision, holder: holderOf(entry), at: performance.now() }
      wake?.()
    }
    const watch = await this.meta.watch({ key: this.#key })
    let watching = true
    void (async () => {
      for await (const entry of watch) see(entry)
    })()
      .catch(() => {})
      .finally(() => {
        watching = false
        wake?.()
      })
    const onAbort = () => wake?.()
    signal.addEventListener('abort', onAbort)
    try {
      // As read above (the watch shows the entry too, or something newer, but shows nothing when there is none).
      if (current !== null) see(current)
      let standingBy = false
      while (!signal.aborted) {
        const free = seen === undefined || seen.holder === undefined
        // Our own (from before NATS went away, say): nobody else folds under our name, so take it back at once.
        const ours = seen?.holder === this.holder
        if (free || ours || performance.now() - (seen as Seen).at >= this.options.leaseMs) {
          if (await this.#take(seen?.revision ?? 0)) return true
        }
        if (!watching) throw new Error(`lost the watch of ${this.#key}`)
        if (!standingBy) {
          standingBy = true
          onStandby(seen?.holder)
        }
        // Until the entry changes, or the holder's lease runs out.
        const left = seen?.holder === undefined ? this.options.leaseMs : seen.at + this.options.leaseMs
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, left - (free ? 0 : performance.now())))
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
      }
      return false
    } finally {
      signal.removeEventListener('abort', onAbort)
      watch.stop()
    }
  }

  /** Gives the lease up at once (an orderly stop): a standby takes over without waiting for it to run out. */
  async release(): Promise<void> {
    const revision = this.#revision
    this.#end('released')
    await this.#renewal
    if (revision === undefined) return
    // Only if it is still ours: a lease that ran out may be another's by now.
    await this.meta.delete(this.#key, { previousSeq: revision }).catch(() => {})
    this.logger.info({ projection: this.projection, holder: this.holder }, 'released the projection')
  }

  async #take(revision: number): Promise<boolean> {
    const sent = performance.now()
    this.#since = new Date().toISOString()
    try {
      this.#revision = await this.meta.put(this.#key, this.#value(), { previousSeq: revision })
    } catch (error) {
      if (isWrongLastSequence(error)) return false
      throw error
    }
    this.#validUntil = sent + this.options.leaseMs
    this.#renewing = setInterval(() => {
      this.#renewal ??= this.#renew().finally(() => {
        this.#renewal = undefined
      })
    }, this.#renewMs)
    return true
  }

  async #renew(): Promise<void> {
    const revision = this.#revision
    if (revision === undefined) return
    const sent = performance.now()
    try {
      const renewed = await this.meta.put(this.#key, this.#value(), { previousSeq: revision })
      if (this.#revision !== revision) return
      this.#revision = renewed
      this.#validUntil = sent + this.options.leaseMs
    } catch (error) {
      if (isWrongLastSequence(error)) return this.#end('taken by another projector')
      this.logger.warn({ err: error, projection: this.projection }, 'could not renew the projection lease')
    }
    if (!this.holds()) this.#end('not renewed in time')
  }

  #end(reason: string) {
    clearInterval(this.#renewing)
    if (this.#revision !== undefined && reason !== 'released')
      this.logger.warn({ projection: this.projection, holder: this.holder, reason }, 'lost the projection')
    this.#revision = undefined
    this.#ended(reason)
  }

  #value(): string {
    const now = Date.now()
    return JSON.stringify({
      holder: this.holder,
      since: this.#since,
      renewedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.leaseMs).toISOString(),
    } satisfies ProjectionLease)
  }
}

/** Who holds a lease entry: its holder while it is put, nobody once it is deleted. */
const holderOf = (entry: KvEntry): string | undefined =>
  entry.operation === 'PUT' ? entry.json<ProjectionLease>().holder : undefined
