import { aggregateIdOf, parseCommit, type User, type UserState, userAggregate } from '@jetnotes/schemas'
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import { type Folded, foldSubject } from '../event-log/fold-subject.ts'
import { parseToken, sameHash } from './tokens.ts'

/**
 * Every user account, folded from the USERS stream and kept current by one ordered consumer, so that checking
 * a bearer token costs no round trip. A token the directory does not know yet (issued a moment ago by another
 * process) triggers a read of that one user's events, so a new token works in the very next request anywhere.
 * A revoked token stops working at once in the process that revoked it, and in the others as soon as the
 * consumer delivers the event (milliseconds).
 */
export class UserDirectory {
  readonly #users = new Map<string, Folded<User>>()
  #feed: ConsumerMessages | undefined

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
  ) {}

  /** Reads all users from the log and keeps following it. Resolves once it has caught up. */
  async start(): Promise<void> {
    const { state } = await this.jsm.streams.info(userAggregate.stream)
    const consumer = await this.js.consumers.get(userAggregate.stream)
    const feed = await consumer.consume()
    this.#feed = feed
    await new Promise<void>((caughtUp, failed) => {
      if (state.messages === 0) caughtUp()
      void (async () => {
        for await (const message of feed) {
          try {
            this.#apply(aggregateIdOf(message.subject), message.seq, message.json<unknown>())
          } catch (error) {
            this.logger.error(
              { err: error, seq: message.seq },
              'invalid user event in the log; account not updated',
            )
          }
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
    const folded = await foldSubject(this.jsm, userAggregate, userId, known)
    this.remember(userId, folded)
    return folded
  }

  /** Records a state the caller has just appended (or read), unless the directory already knows a later one. */
  remember(userId: string, folded: Folded<UserState>): void {
    const known = this.#users.get(userId)
    if (folded.state !== null && (known === undefined || known.seq < folded.seq)) {
      this.#users.set(userId, { state: folded.state, seq: folded.seq })
    }
  }

  /** The active user a bearer token belongs to, or `undefined`. */
  async authenticate(token: string): Promise<User | undefined> {
    const parsed = parseToken(token)
    if (parsed === undefined) return undefined
    const matches = (user: UserState): user is User =>
      user?.active === true && sameHash(user.tokenHash, parsed.secretHash)
    const known = this.#users.get(parsed.userId)?.state ?? null
    if (matches(known)) return known
    const { state } = await this.refresh(parsed.userId)
    return matches(state) ? state : undefined
  }

  /** The user with this id if the directory knows it (no I/O). */
  find(userId: string): User | undefined {
    return this.#users.get(userId)?.state
  }

  #apply(userId: string, seq: number, payload: unknown) {
    const known = this.#users.get(userId)
    if (known !== undefined && known.seq >= seq) return
    const state = parseCommit(userAggregate, payload).reduce(userAggregate.evolve, known?.state ?? null)
    this.remember(userId, { state, seq })
  }
}
