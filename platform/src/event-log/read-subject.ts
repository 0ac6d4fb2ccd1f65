import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream'

/** One message of the event log: the events one command appended, undecoded. */
export type LoggedCommit = {
  seq: number
  subject: string
  /** The Nats-Msg-Id it was published with (the command id or the Idempotency-Key's digest). */
  msgId: string | undefined
  time: Date
  /** The payload as stored; `decodeMessage` turns it into events (or reports why it cannot). */
  data: Uint8Array
}

const toCommit = (message: StoredMsg): LoggedCommit => ({
  seq: message.seq,
  subject: message.subject,
  msgId: message.header.get('Nats-Msg-Id') || undefined,
  time: message.time,
  data: message.data,
})

/**
 * The messages of one subject after `afterSeq`, in order, read with direct gets (`next_by_subj`). One round
 * trip per message: callers keep the gap short (a snapshot or a cache keyed by the position).
 */
export async function* readSubject(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  afterSeq: number,
): AsyncGenerator<LoggedCommit> {
  let seq = afterSeq
  for (;;) {
    const message = await jsm.direct.getMessage(stream, { next_by_subj: subject, seq: seq + 1 })
    if (message === null) return
    seq = message.seq
    yield toCommit(message)
  }
}

/** The first message of a subject after `afterSeq`, or null. */
export const nextOfSubject = async (
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  afterSeq: number,
) => {
  const message = await jsm.direct.getMessage(stream, { next_by_subj: subject, seq: afterSeq + 1 })
  return message && toCommit(message)
}
