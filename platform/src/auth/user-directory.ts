import { aggregateIdOf, type User, type UserState, userAggregate } from '@jetnotes/schemas'
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import {
  eventsOf,
  type InvalidMessageReport,
  type LogMessage,
  reportInvalidMessagesTo,
} from '../event-log/decode-message.ts'
import { type Folded, foldSubject } from '../event-log/fold-subject.ts'
import { FollowedStreamHead } from '../nats/stream-head.ts'
import { parseToken, sameHash } from './tokens.ts'

/** Whether the account is active and its current token has this hash. */
const matchesToken = (user: UserState, secretHash: string): user is User =>
  user?.active === true && sameHash(user.tokenHash, secretHash)

/**
 * Every user account, folded from the USERS stream and kept current by one ordered consumer, so that checking
 * a bearer token costs no round trip. A token the directory does not know yet (issued a moment ago by another
 * process) triggers a read of that one user's events, so a new token works in the very next request anywhere.
 * A revoked token stops working at once in the process that revoked it, and in the others as soon as the
 * consumer delivers the event (milliseconds).
 */
export class UserDirectory {
  readonly #users = new Map<string, Folded<User>>()
  readonly #listeners = new Set<(userId: string) => void>()
  #feed: ConsumerMessages | undefined
  readonly #report: InvalidMessageReport
  /** The USERS stream's last sequence as this directory has seen it (what the users views' lag is measured by). */
  readonly head = new FollowedStreamHead(userAggregate.stream)

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    logger: Logger,
  ) {
    this.#report = reportInvalidMessagesTo(logger, 'user-directory')
  }

  /** Reads all users from the log and keeps following it. Resolves once it has caught up. */
  async start(): Promise<void> {
    const asked = Date.now()
    const { state } = await this.jsm.streams.info(userAggregate.stream)
    this.head.advance(state.last_seq, asked)
    const consumer = await this.js.consumers.get(userAggregate.stream)
    const feed = await consumer.consume()
    this.#feed = feed
    await new Promise<void>((caughtUp, failed) => {
      if (state.messages === 0) caughtUp()
      void (async () => {
        for await (const message of feed) {
          this.head.observe(message)
          this.#apply(message)
          if (message.seq >= state.last_seq) caughtUp()
        }
      })().catch(failed)
    })
  }

  stop(): void {
    this.#feed?.stop()
  }

  /** The user and the log position its state reflects; reads the log if the directory does not know it. */
  async load(userId: string): Promise<Folded<UserState>> {
    return this.#users.get(userId) ?? this.refresh(userId)
  }

  /** Reads the user's events the directory has not seen yet. */
  async refresh(userId: string): Promise<Folded<UserState>> {
    const known = this.#users.get(userId)
    const folded = await foldSubject(this.jsm, userAggregate, userId, this.#report, known)
    this.remember(userId, folded)
    return folded
  }

  /** Records a state the caller has just appended (or read), unless the directory already knows a later one. */
  remember(userId: string, folded: Folded<UserState>): void {
    const known = this.#users.get(userId)
    if (folded.state !== null && (known === undefined || known.seq < folded.seq)) {
      this.#users.set(userId, { state: folded.state, seq: folded.seq })
      for (const listener of this.#listeners) listener(userId)
    }
  }

  /** Calls `listener` with the id of every account that changes (renamed, token rotated, deactivated). */
  onChange(listener: (userId: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Whether a token still belongs to an active user, as far as the directory knows now (no I/O). */
  accepts(token: string): boolean {
    const parsed = parseToken(token)
    if (parsed === undefined) return false
    return matchesToken(this.#users.get(parsed.userId)?.state ?? null, parsed.secretHash)
  }

  /** The active user a bearer token belongs to, or `undefined`. */
  async authenticate(token: string): Promise<User | undefined> {
    const parsed = parseToken(token)
    if (parsed === undefined) return undefined
    const known = this.#users.get(parsed.userId)?.state ?? null
    if (matchesToken(known, parsed.secretHash)) return known
    const { state } = await this.refresh(parsed.userId)
    return matchesToken(state, parsed.secretHash) ? state : undefined
  }

  /** The user with this id if the directory knows it (no I/O). */
  find(userId: string): User | undefined {
    return this.#users.get(userId)?.state
  }

  #apply(message: LogMessage) {
    const userId = aggregateIdOf(message.subject)
    const known = this.#users.get(userId)
    if (known !== undefined && known.seq >= message.seq) return
    const events = eventsOf(userAggregate, message, this.#report)
    this.remember(userId, {
      state: events.reduce(userAggregate.evolve, known?.state ?? null),
      seq: message.seq,
    })
  }
}
