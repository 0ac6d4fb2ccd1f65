import { inSpan, nextOfSubject, traceHeaders, tracerOf } from '@jetnotes/platform'
import type { JetStreamClient, JetStreamManager, MsgRequest } from '@nats-io/jetstream'
import { SpanKind } from '@opentelemetry/api'

const tracer = tracerOf('command-service')

export type AppendOptions = {
  /** The subject's last sequence the command was decided on (0 for a new aggregate). */
  expectedSeq: number
  /** Nats-Msg-Id: the server drops a second message with this id inside the duplicate window. */
  msgId: string
  /**
   * The subject names an id this command made up (a random UUID, known to no one else until the command
   * answers): nothing else can reach it first, so the check after the append is skipped. That check would be
   * costly here: the first message of a subject after sequence 0 is looked for from the stream's start.
   */
  newSubject?: boolean
}

export type Appended =
  /** In the log right after the expected sequence: the fold accepts it. */
  | { outcome: 'appended'; seq: number }
  /**
   * In the log, but another commit reached the subject after the expected sequence first (the server let two
   * appends with one expectation through): every fold refuses ours (see `refusalOf`).
   */
  | { outcome: 'overtaken'; seq: number }
  /** The server had this message id already (a retried command): nothing new was appended. */
  | { outcome: 'duplicate'; seq: number }

/**
 * Appends a command's events to the log: one `js.publish` of one message to the aggregate's subject, with
 * `expect.lastSubjectSequence` (optimistic concurrency) and `msgID` (idempotency) together. The server checks
 * the duplicate window before the expectation, so a retried command is answered as a duplicate, not a conflict.
 * A failed expectation surfaces as JetStream error 10071 (see `isWrongLastSequence`).
 *
 * The server's check is not enough on a replicated stream: nats-server before 2.9.21 can accept two concurrent
 * publishes with the same expectation (nats-server#4320), and later ones check it on the leader only, so a
 * leader change can let one through (nats-server#8469). So on a replicated stream, after the ack, one direct
 * get asks for the subject's first message after the expected sequence: if it is not ours, another commit came
 * first and ours is `overtaken`, the same verdict every fold of the log reaches by the rule of the next version.
 *
 * The append is a producer span, and the message carries its trace context (`traceparent` in its headers): the
 * projector's fold and the live push of this message are its children, however much later they happen.
 */
export class EventStore {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    /**
     * Whether the event log's streams have replicas. A stream on one server checks the expectation and stores
     * the message in one step, so there the check after the append is skipped (no round trip added).
     */
    private readonly replicated: boolean,
  ) {}

  append(subject: string, events: readonly unknown[], options: AppendOptions): Promise<Appended> {
    const attributes = {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.destination.name': subject,
      'messaging.message.id': options.msgId,
      'jetnotes.expected_seq': options.expectedSeq,
    }
    return inSpan(tracer, 'publish', { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      const appended = await this.#append(subject, events, options)
      span.setAttributes({ 'jetnotes.seq': appended.seq, 'jetnotes.outcome': appended.outcome })
      return appended
    })
  }

  async #append(
    subject: string,
    events: readonly unknown[],
    { expectedSeq, msgId, newSubject = false }: AppendOptions,
  ): Promise<Appended> {
    const ack = await this.js.publish(subject, JSON.stringify({ events }), {
      msgID: msgId,
      expect: { lastSubjectSequence: expectedSeq },
      headers: traceHeaders(),
    })
    if (ack.duplicate) return { outcome: 'duplicate', seq: ack.seq }
    if (!this.replicated || newSubject) return { outcome: 'appended', seq: ack.seq }
    const first = await this.#firstAfter(ack.stream, subject, expectedSeq, ack.seq)
    return { outcome: first === ack.seq ? 'appended' : 'overtaken', seq: ack.seq }
  }

  /** The sequence of the subject's first message after `expectedSeq`, which is `ours` or one before it. */
  async #firstAfter(stream: string, subject: string, expectedSeq: number, ours: number): Promise<number> {
    const next = await nextOfSubject(this.jsm, stream, subject, expectedSeq)
    if (next !== null && next.seq <= ours) return next.seq
    // Any replica answers a direct get, and one may not have stored our message yet: the leader has.
    const request = { seq: expectedSeq + 1, next_by_subj: subject } as unknown as MsgRequest
    const fromLeader = await this.jsm.streams.getMessage(stream, request)
    if (fromLeader !== null && fromLeader.seq <= ours) return fromLeader.seq
    throw new Error(`the stream leader does not show message ${ours} of ${subject}, which it acknowledged`)
  }
}
