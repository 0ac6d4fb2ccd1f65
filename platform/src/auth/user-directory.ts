import { aggregateIdOf, type User, type UserState, userAggregate } from '@jetnotes/schemas'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import {
  eventsOf,
  type InvalidMessageReport,
  type LogMessage,
  reportInvalidMessagesTo,
} from '../event-log/decode-message.ts'
import { type Folded, foldSubject, isAcceptedCommit } from '../event-log/fold-subject.ts'
import { acceptedEvents } from '../event-log/next-version.ts'
import type { ConnectionWatch } from '../nats/connection-watch.ts'
import { followStream, type StreamFollower } from '../nats/follow-stream.ts'
import { FollowedStreamHead } from '../nats/stream-head.ts'
import { parseToken, sameHash } from './tokens.ts'

/**
 * Whether the account is active and its API token or one of its sessions' tokens has this hash. Every hash is
 * compared (no early exit), each in constant time, so the answer's timing says nothing about which matched.
 */
const matchesToken = (user: UserState, secretHash: string): user is User => {
  if (user?.active !== true) return false
  let matches = sameHash(user.tokenHash, secretHash)
  for (const session of user.sessions) matches = sameHash(session.tokenHash, secretHash) || matches
  return matches
}

/** The id of the session a token is the token of, or `undefined` (the API token, or not this user's). */
export const sessionIdOf = (user: User, token: string): string | undefined => {
  const parsed = parseToken(token)
  if (parsed === undefined || parsed.userId !== user.id) return undefined
  return user.sessions.find((session) => sameHash(session.tokenHash, parsed.secretHash))?.id
}

/** How long an id without an account is remembered as such, and how many such ids are kept at most. */
const missedIdTtlMs = 60_000
const missedIdCap = 10_000
/** How long the first request to miss waits for others to share its question to the stream. */
const gatherMs = 5

/**
 * Every user account, folded from the USERS stream and kept current by one ordered consumer, so that checking
 * a bearer token costs no round trip. A token the directory does not know yet (issued a moment ago by another
 * process) triggers a read of that one user's events, so a new token works in the very next request anywhere.
 * A revoked token stops working at once in the process that revoked it, and in the others as soon as the
 * consumer delivers the event (milliseconds).
 *
 * Unknown tokens must not cost a round trip each (a flood of random ones would turn into a flood of reads).
 * Before reading a user's events, the directory asks whether it is behind the stream at all; one stream info
 * answers every request waiting at that moment, and if the directory has applied the whole stream, what it
 * knows is the truth for them all. An id found to have no account is remembered for a while: ids are random
 * UUIDs the command-service draws, so an id nobody holds now is one nobody will be given.
 */
export class UserDirectory {
  readonly #users = new Map<string, Folded<User>>()
  readonly #listeners = new Set<(userId: string) => void>()
  /** Ids found to have no account, with when that stops counting (insertion order is age order). */
  readonly #missed = new Map<string, number>()
  /** The last stream sequence the feed has applied. */
  #applied = 0
  /** Requests waiting to learn whether the directory has applied the whole stream, and whether one is asking. */
  #waiting: { resolve: (current: boolean) => void; reject: (error: unknown) => void }[] = []
  #asking = false
  #feed: StreamFollower | undefined
  readonly #report: InvalidMessageReport
  /** The USERS stream's last sequence as this directory has seen it (what the users views' lag is measured by). */
  readonly head = new FollowedStreamHead(userAggregate.stream)

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
    /** Where the directory hears that NATS is back: it then follows USERS again from where it was. */
    private readonly connection?: ConnectionWatch,
  ) {
    this.#report = reportInvalidMessagesTo(logger, 'user-directory')
  }

  /** Reads all users from the log and keeps following it. Resolves once it has caught up. */
  async start(): Promise<void> {
    const asked = Date.now()
    const { state } = await this.jsm.streams.info(userAggregate.stream)
    this.head.advance(state.last_seq, asked)
    await new Promise<void>((caughtUp, failed) => {
      if (state.messages === 0) caughtUp()
      this.#feed = followStream(this.js, userAggregate.stream, {
        from: 1,
        ...(this.connection === undefined ? {} : { connection: this.connection }),
        logger: this.logger,
        apply: (message) => {
          this.head.observe(message)
          this.#apply(message)
          this.#applied = message.seq
          if (message.seq >= state.last_seq) caughtUp()
        },
      })
      this.#feed.ended.catch(failed)
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

  /** Whether the folds accept the commit at `seq` of the user's subject (`refusalOf`). */
  isAccepted(userId: string, seq: number): Promise<boolean> {
    return isAcceptedCommit(this.jsm, userAggregate, userId, seq, this.#report)
  }

  /** Records a state the caller has just appended (or read), unless the directory already knows a later one. */
  remember(userId: string, folded: Folded<UserState>): void {
    const known = this.#users.get(userId)
    if (folded.state !== null && (known === undefined || known.seq < folded.seq)) {
      this.#missed.delete(userId)
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
    return this.knownUser(token) !== undefined
  }

  /** The active user a token belongs to, as far as the directory knows now (no I/O), or `undefined`. */
  knownUser(token: string): User | undefined {
    const parsed = parseToken(token)
    if (parsed === undefined) return undefined
    const state = this.#users.get(parsed.userId)?.state ?? null
    return matchesToken(state, parsed.secretHash) ? state : undefined
  }

  /** The active user a bearer token belongs to, or `undefined`. */
  async authenticate(token: string): Promise<User | undefined> {
    const parsed = parseToken(token)
    if (parsed === undefined) return undefined
    const { userId, secretHash } = parsed
    const known = this.#users.get(userId)?.state ?? null
    if (matchesToken(known, secretHash)) return known
    if (known === null && this.#missedRecently(userId)) return undefined
    const state = (await this.#appliedWholeStream())
      ? (this.#users.get(userId)?.state ?? null)
      : (await this.refresh(userId)).state
    if (state === null) this.#rememberMissed(userId)
    return matchesToken(state, secretHash) ? state : undefined
  }

  #missedRecently(userId: string): boolean {
    const until = this.#missed.get(userId)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.#missed.delete(userId)
    return false
  }

  #rememberMissed(userId: string): void {
    this.#missed.delete(userId)
    this.#missed.set(userId, Date.now() + missedIdTtlMs)
    if (this.#missed.size > missedIdCap) {
      const oldest = this.#missed.keys().next()
      if (oldest.done !== true) this.#missed.delete(oldest.value)
    }
  }

  /**
   * Whether the directory has applied every event the stream held at a moment after this call: then it knows
   * every account that existed when the caller's request came in. Callers that arrive within a few
   * milliseconds, or while the stream is being asked, wait for the next question, and one answers them all.
   */
  #appliedWholeStream(): Promise<boolean> {
    const answer = new Promise<boolean>((resolve, reject) => this.#waiting.push({ resolve, reject }))
    if (!this.#asking) void this.#askForWaiting()
    return answer
  }

  async #askForWaiting(): Promise<void> {
    this.#asking = true
    while (this.#waiting.length > 0) {
      // A flood arrives over many turns of the event loop: a short wait lets one question answer many of them,
      // and bounds the questions to one per few milliseconds however many unknown tokens come in.
      await new Promise((resolve) => setTimeout(resolve, gatherMs))
      const batch = this.#waiting.splice(0)
      try {
        const asked = Date.now()
        const { state } = await this.jsm.streams.info(userAggregate.stream)
        this.head.advance(state.last_seq, asked)
        const current = state.last_seq <= this.#applied
        for (const waiter of batch) waiter.resolve(current)
      } catch (error) {
        for (const waiter of batch) waiter.reject(error)
      }
    }
    this.#asking = false
  }

  /** The user with this id if the directory knows it (no I/O). */
  find(userId: string): User | undefined {
    return this.#users.get(userId)?.state
  }

  #apply(message: LogMessage) {
    const userId = aggregateIdOf(message.subject)
    const known = this.#users.get(userId)
    if (known !== undefined && known.seq >= message.seq) return
    const state = known?.state ?? null
    const events = acceptedEvents(state, eventsOf(userAggregate, message, this.#report))
    this.remember(userId, {
      state: events.reduce(userAggregate.evolve, state),
      seq: message.seq,
    })
  }
}
