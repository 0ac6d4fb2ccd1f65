import type { UserDirectory } from '@jetnotes/platform'
import { ConflictError } from '@jetnotes/schemas'
import type { KV } from '@nats-io/kv'
import type { Logger } from 'pino'
import { sha256 } from '../idempotency/fingerprint.ts'

/** A claim younger than this may belong to a registration still in flight. */
const inFlightMs = 30_000

/**
 * One account per e-mail address (case-insensitive). The log cannot express a uniqueness constraint across
 * aggregates, so a registration first claims the address in a KV bucket (`create` is atomic), then appends
 * `UserRegistered`. A claim whose user never made it into the log (the process died in between) is taken over
 * once it is old enough.
 */
export class EmailClaims {
  constructor(
    private readonly kv: KV,
    private readonly directory: UserDirectory,
    private readonly logger: Logger,
  ) {}

  async claim(email: string, userId: string): Promise<void> {
    const key = keyOf(email)
    try {
      await this.kv.create(key, userId)
      return
    } catch {
      // Taken, or a concurrent claim won: look at who holds it.
    }
    const entry = await this.kv.get(key)
    if (entry === null || entry.operation !== 'PUT') {
      await this.kv.create(key, userId).catch((error: unknown) => {
        throw new ConflictError('This e-mail address is already registered', { cause: error })
      })
      return
    }
    const holder = entry.string()
    if (holder === userId) return
    const { state } = await this.directory.load(holder)
    if (state !== null || Date.now() - entry.created.getTime() < inFlightMs) {
      throw new ConflictError('This e-mail address is already registered')
    }
    this.logger.warn({ holder }, 'taking over an e-mail claim whose registration never reached the log')
    await this.kv.update(key, userId, entry.revision).catch((error: unknown) => {
      throw new ConflictError('This e-mail address is already registered', { cause: error })
    })
  }

  /** The id of the user the address is claimed by, if any (who may not have reached the log yet). */
  async holderOf(email: string): Promise<string | undefined> {
    const entry = await this.kv.get(keyOf(email))
    return entry?.operation === 'PUT' ? entry.string() : undefined
  }

  /** Gives the address back after a registration that failed before reaching the log. */
  async release(email: string, userId: string): Promise<void> {
    const key = keyOf(email)
    const entry = await this.kv.get(key)
    if (entry?.operation === 'PUT' && entry.string() === userId) {
      await this.kv.delete(key, { previousSeq: entry.revision })
    }
  }
}

const keyOf = (email: string) => sha256(email.trim().toLowerCase())
