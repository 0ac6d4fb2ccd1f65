import {
  acceptedEvents,
  type ConnectionWatch,
  eventsOf,
  FollowedStreamHead,
  followStream,
  type InvalidMessageReport,
  inSpan,
  type LogMessage,
  reportInvalidMessagesTo,
  type StreamFollower,
  traceContextOf,
  tracerOf,
  type UserDirectory,
} from '@jetnotes/platform'
import { aggregateIdOf, noteAggregate } from '@jetnotes/schemas'
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import type { MsgHdrs } from '@nats-io/transport-node'
import { SpanKind } from '@opentelemetry/api'
import type { Logger } from 'pino'
import type { ViewReader } from '../read-models/watched-bucket.ts'
import { formatEventId, isAfter, type LiveEvent, type Position, toLiveEvents } from './live-event.ts'
import { NoteStates } from './note-states.ts'
import { RecentEvents } from './recent-events.ts'
import { eventFrame, frameBytes, type SseFrame } from './sse-frame.ts'

/**
 * A live event with its two wire forms, each encoded once for all its recipients: for those who still see the
 * note, and for those who just lost it.
 */
export type BroadcastEvent = LiveEvent & { frames: { visible: SseFrame; hidden: SseFrame } }

/** A connected client, as the hub sees it. */
export interface Subscriber {
  userId: string
  /** Only the events of this note, when set. */
  noteId?: string | undefined
  /**
   * `catchUp`: the event is part of what a resuming client missed (from memory or the log), sent in one burst
   * however long: it does not count against the limit of what a slow client may have queued.
   */
  deliver(event: BroadcastEvent, visible: boolean, catchUp?: boolean): void
  /** Resolves once the subscriber has room for more (a replay from the log waits for it: memory stays bounded). */
  whenRoom?(): Promise<void>
  /** The hub cannot serve this subscriber without a gap: end its stream, so it resumes from its last id. */
  interrupt(): void
}

export type LiveHubOptions = {
  /** Bytes of recent events kept in memory, so most reconnects resume without touching the log. */
  historyBytes: number
  /** Messages of the log read into that history at start-up (so clients can resume after a restart). */
  prefillMessages?: number
  /** At most this many resumes older than the in-memory history replay from the log at once. */
  replayConcurrency?: number
}

/** What the hub does when its options do not say: the same for a service process and the test harness. */
const liveHubDefaults = { prefillMessages: 1_000, replayConcurrency: 4 }

const stream = noteAggregate.stream

const tracer = tracerOf('query-service')

/**
 * The fan-out of note changes for one query-service process. ONE ordered consumer on the NOTES stream feeds
 * every connection: a reconnect storm creates no server-side consumers. Each message is folded into the
 * note's state to work out who may see the change; the event goes only to those users' connections, found
 * through an index by user (the cost of an event does not grow with the number of connections).
 *
 * Recent events stay in memory (bounded by bytes), so a client that reconnects with `Last-Event-ID` is served
 * exactly what it missed, then the live events, with no gap and no duplicate. An older resume is replayed from
 * the log (a temporary ordered consumer, a few at a time).
 */
export class LiveHub {
  readonly #history: RecentEvents<BroadcastEvent>
  /** Every event after this position has been seen; those in `#history` are all after `#historyFloor`. */
  #historyFloor: Position = { seq: 0, index: Number.MAX_SAFE_INTEGER }
  #position: Position = { seq: 0, index: Number.MAX_SAFE_INTEGER }
  readonly #byUser = new Map<string, Set<Subscriber>>()
  readonly #states: NoteStates
  #follower: StreamFollower | undefined
  #replays = 0
  readonly #waitingReplays: (() => void)[] = []
  /** Invalid messages met by the live path, and by replays from the log (the same message, met again). */
  readonly #report: InvalidMessageReport
  readonly #replayReport: InvalidMessageReport
  /** The NOTES stream's last sequence as the hub has seen it (what the notes views' lag is measured by). */
  readonly head = new FollowedStreamHead(stream)
  private readonly options: Required<LiveHubOptions>

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly directory: UserDirectory,
    /** The live generation of the `notes` read model: where a note's state starts before its later messages. */
    private readonly notes: () => ViewReader | undefined,
    private readonly logger: Logger,
    options: LiveHubOptions,
    /** Where the hub hears that NATS is back: it then follows the log again from where it was. */
    private readonly connection?: ConnectionWatch,
  ) {
    this.options = { ...liveHubDefaults, ...options }
    this.#report = reportInvalidMessagesTo(logger, 'live-hub')
    this.#replayReport = reportInvalidMessagesTo(logger, 'live-replay')
    this.#states = new NoteStates(jsm, notes, this.#report)
    this.#history = new RecentEvents(
      options.historyBytes,
      (event) => frameBytes(event.frames.visible) + frameBytes(event.frames.hidden),
    )
  }

  /** The position of the last message the hub has processed. */
  get position(): Position {
    return this.#position
  }

  get connections(): number {
    let count = 0
    for (const subscribers of this.#byUser.values()) count += subscribers.size
    return count
  }

  /** Starts following the log; resolves once the start-up history is read. */
  async start(): Promise<void> {
    const asked = Date.now()
    const { state } = await this.jsm.streams.info(stream)
    this.head.advance(state.last_seq, asked)
    const first = Math.max(1, state.last_seq - this.options.prefillMessages + 1)
    this.#historyFloor = { seq: first - 1, index: Number.MAX_SAFE_INTEGER }
    this.#position = this.#historyFloor
    await new Promise<void>((caughtUp, failed) => {
      if (state.last_seq < first) caughtUp()
      this.#follower = followStream(this.js, stream, {
        from: first,
        ...(this.connection === undefined ? {} : { connection: this.connection }),
        logger: this.logger,
        apply: async (message) => {
          this.head.observe(message)
          await this.#process(message)
          if (message.seq >= state.last_seq) caughtUp()
        },
      })
      this.#follower.ended.catch((error: unknown) => {
        this.logger.error({ err: error }, 'the live stream stopped')
        failed(error)
      })
    })
  }

  stop(): void {
    this.#follower?.stop()
  }

  /**
   * Connects a subscriber. With `after`, it first receives every event after that position it may see,
   * from memory or from the log, then the live ones. Returns the function that disconnects it.
   */
  subscribe(subscriber: Subscriber, after?: Position): () => void {
    if (after !== undefined && isAfter(this.#position, after)) {
      if (isAfter(this.#historyFloor, after)) return this.#replayFromLog(subscriber, after)
      // Everything after `after` is in memory: replay and attach in one synchronous step (no event between).
      for (const event of this.#history)
        if (isAfter(event.position, after)) this.#offer(subscriber, event, true)
    } else if (after !== undefined) {
      // The client has seen more than this hub has: it was connected to another query-service, further along
      // the log than this one (which may have just started, or followed the log again after losing a node).
      // What it already has is not sent again when this hub gets there.
      const ahead: Subscriber = {
        userId: subscriber.userId,
        noteId: subscriber.noteId,
        deliver: (event, visible, catchUp) => {
          if (isAfter(event.position, after)) subscriber.deliver(event, visible, catchUp)
        },
        interrupt: () => subscriber.interrupt(),
      }
      this.#add(ahead)
      return () => this.#remove(ahead)
    }
    this.#add(subscriber)
    return () => this.#remove(subscriber)
  }

  /** Closes every connection (on shutdown). */
  disconnectAll(close: (subscriber: Subscriber) => void): void {
    for (const subscribers of this.#byUser.values()) for (const subscriber of subscribers) close(subscriber)
    this.#byUser.clear()
  }

  async #process(message: LogMessage & { headers?: MsgHdrs | undefined }) {
    const { seq } = message
    const noteId = aggregateIdOf(message.subject)
    const events = eventsOf(noteAggregate, message, this.#report)
    if (events.length === 0) {
      // An invalid message (reported) changes no note and reaches no one: no state to look up.
      this.#position = { seq, index: Number.MAX_SAFE_INTEGER }
      return
    }
    // The push is a child of the span that published the message (its trace context is in its headers).
    const attributes = {
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.destination.name': message.subject,
      'jetnotes.seq': seq,
    }
    const parent = traceContextOf(message)
    await inSpan(tracer, 'sse push', { kind: SpanKind.CONSUMER, parent, attributes }, async (span) => {
      const before = await this.#states.before(noteId, seq, events)
      // A commit that does not carry the note's next version changes nothing and reaches no one (`refusalOf`).
      const { live, after } = toLiveEvents(before, acceptedEvents(before, events), seq)
      this.#states.remember(noteId, after, seq)
      let deliveries = 0
      for (const event of live) {
        const broadcast = this.#withFrames(event)
        this.#remember(broadcast)
        for (const [userId, visible] of event.audience) {
          for (const subscriber of this.#byUser.get(userId) ?? []) {
            if (subscriber.noteId === undefined || subscriber.noteId === event.noteId) {
              subscriber.deliver(broadcast, visible)
              deliveries++
            }
          }
        }
      }
      span.setAttributes({ 'jetnotes.live_events': live.length, 'jetnotes.deliveries': deliveries })
    })
    this.#position = { seq, index: Number.MAX_SAFE_INTEGER }
  }

  #withFrames(event: LiveEvent): BroadcastEvent {
    const id = formatEventId(event.position)
    const frame = (note: unknown) =>
      eventFrame(
        id,
        event.type,
        JSON.stringify({
          noteId: event.noteId,
          version: event.version,
          type: event.type,
          actor: { id: event.actorId, name: this.directory.find(event.actorId)?.name ?? null },
          time: event.time,
          note,
        }),
      )
    return { ...event, frames: { visible: frame(event.view), hidden: frame(null) } }
  }

  #remember(event: BroadcastEvent) {
    const dropped = this.#history.push(event)
    if (dropped !== undefined) this.#historyFloor = dropped.position
  }

  #offer(subscriber: Subscriber, event: BroadcastEvent, catchUp = false) {
    const visible = event.audience.get(subscriber.userId)
    if (visible === undefined) return
    if (subscriber.noteId !== undefined && subscriber.noteId !== event.noteId) return
    subscriber.deliver(event, visible, catchUp)
  }

  #add(subscriber: Subscriber) {
    let subscribers = this.#byUser.get(subscriber.userId)
    if (subscribers === undefined) {
      subscribers = new Set()
      this.#byUser.set(subscriber.userId, subscribers)
    }
    subscribers.add(subscriber)
  }

  #remove(subscriber: Subscriber) {
    const subscribers = this.#byUser.get(subscriber.userId)
    subscribers?.delete(subscriber)
    if (subscribers?.size === 0) this.#byUser.delete(subscriber.userId)
  }

  /**
   * A resume older than the in-memory history. Live events are held while the log is replayed up to the
   * position the hub had when the client connected, then released: still no gap and no duplicate.
   */
  #replayFromLog(subscriber: Subscriber, after: Position): () => void {
    const until = this.#position
    const held: { event: BroadcastEvent; visible: boolean }[] = []
    let replaying = true
    let cancelled = false
    const holder: Subscriber = {
      userId: subscriber.userId,
      noteId: subscriber.noteId,
      deliver: (event, visible) =>
        replaying ? held.push({ event, visible }) : subscriber.deliver(event, visible),
      interrupt: () => subscriber.interrupt(),
    }
    this.#add(holder)
    void this.#withReplaySlot(async () => {
      if (cancelled) return
      const states = new NoteStates(this.jsm, this.notes, this.#replayReport)
      const consumer = await this.js.consumers.get(stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: after.seq,
      })
      const messages = await consumer.consume()
      try {
        for await (const message of messages) {
          if (cancelled || message.seq > until.seq) break
          await subscriber.whenRoom?.()
          if (cancelled) break
          const noteId = aggregateIdOf(message.subject)
          // The same decisions as on the live path: an invalid message is reported, and neither it nor a refused
          // commit produces live events.
          const events = eventsOf(noteAggregate, message, this.#replayReport)
          const before = await states.before(noteId, message.seq, events)
          const { live, after: next } = toLiveEvents(before, acceptedEvents(before, events), message.seq)
          states.remember(noteId, next, message.seq)
          for (const event of live)
            if (isAfter(event.position, after)) this.#offer(subscriber, this.#withFrames(event), true)
          if (message.seq >= until.seq || message.info.pending === 0) break
        }
      } finally {
        messages.stop()
      }
    })
      .then(
        () => {
          replaying = false
          for (const { event, visible } of held) subscriber.deliver(event, visible, true)
        },
        (error: unknown) => {
          // Live events after a gap would break "no gap": the client reconnects and asks again.
          this.logger.error({ err: error }, 'could not replay events from the log')
          this.#remove(holder)
          subscriber.interrupt()
        },
      )
      .finally(() => {
        held.length = 0
      })
    return () => {
      cancelled = true
      this.#remove(holder)
    }
  }

  async #withReplaySlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.#replays >= this.options.replayConcurrency) {
      await new Promise<void>((resolve) => this.#waitingReplays.push(resolve))
    }
    this.#replays++
    try {
      return await work()
    } finally {
      this.#replays--
      this.#waitingReplays.shift()?.()
    }
  }
}
