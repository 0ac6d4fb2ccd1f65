import { RateLimitedError } from '@jetnotes/platform'

/** How many sign-in attempts are allowed per window, per e-mail address and per client address. 0: no limit. */
export type SignInLimitSettings = { perEmail: number; perAddress: number; windowMs: number }

/** Most keys counted at once: beyond it the oldest windows are forgotten (a bound on memory under a flood). */
const maxKeys = 100_000

/**
 * Password guessing, slowed down: every attempt counts against its e-mail address and its client address for a
 * window; over either limit the attempt is refused with 429 before any password is checked. A successful
 * sign-in clears its e-mail's count (so a person who mistyped a few times is not locked out afterwards), never
 * the address's. The request limits of rate-limit.ts count requests by caller, with no body and no outcome;
 * this counts attempts by what they guess at, so it is its own small counter, in this process's memory like
 * those limits.
 */
export class SignInLimits {
  /** Key -> attempts in the window that started at `since` (insertion order is age order). */
  readonly #windows = new Map<string, { since: number; attempts: number }>()

  constructor(
    private readonly settings: SignInLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt for this e-mail and address; throws a 429 if either has used up its window. */
  attempt(email: string, address: string): void {
    const keys: [string, number][] = [
      [emailKey(email), this.settings.perEmail],
      [`address:${address}`, this.settings.perAddress],
    ]
    const counted = keys.filter(([, limit]) => limit > 0)
    const windows = counted.map(([key]) => this.#window(key))
    const full = windows.findIndex((window, index) => window.attempts >= (counted[index]?.[1] ?? 0))
    if (full !== -1) {
      const since = windows[full]?.since ?? 0
      throw new RateLimitedError(Math.max(1, Math.ceil((since + this.settings.windowMs - this.now()) / 1000)))
    }
    for (const window of windows) window.attempts++
  }

  /** The e-mail's attempts are forgotten after a successful sign-in. */
  succeeded(email: string): void {
    this.#windows.delete(emailKey(email))
  }

  #window(key: string) {
    const now = this.now()
    const known = this.#windows.get(key)
    if (known !== undefined && now - known.since < this.settings.windowMs) return known
    this.#windows.delete(key)
    const fresh = { since: now, attempts: 0 }
    this.#windows.set(key, fresh)
    if (this.#windows.size > maxKeys) {
      const oldest = this.#windows.keys().next()
      if (oldest.done !== true) this.#windows.delete(oldest.value)
    }
    return fresh
  }
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`
