import type { JetStreamClient } from '@nats-io/jetstream'

export type AppendOptions = {
  /** The subject's last sequence the command was decided on (0 for a new aggregate). */
  expectedSeq: number
  /** Nats-Msg-Id: the server drops a second message with this id inside the duplicate window. */
  msgId: string
}

export type Appended = { seq: number; duplicate: boolean }

/**
 * Appends a command's events to the log: one `js.publish` of one message to the aggregate's subject, with
 * `expect.lastSubjectSequence` (optimistic concurrency) and `msgID` (idempotency) together. The server checks
 * the duplicate window before the expectation, so a retried command is answered as a duplicate, not a conflict.
 * A failed expectation surfaces as JetStream error 10071 (see `isWrongLastSequence`).
 */
export class EventStore {
  constructor(private readonly js: JetStreamClient) {}

  async append(
    subject: string,
    events: readonly unknown[],
    { expectedSeq, msgId }: AppendOptions,
  ): Promise<Appended> {
    const ack = await this.js.publish(subject, JSON.stringify({ events }), {
      msgID: msgId,
      expect: { lastSubjectSequence: expectedSeq },
    })
    return { seq: ack.seq, duplicate: ack.duplicate }
  }
}
