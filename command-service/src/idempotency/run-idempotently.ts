import { randomUUID } from 'node:crypto'
import {
  BadRequestError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  isNatsUnreachable,
  nextOfSubject,
} from '@jetnotes/platform'
import { encodeConsistencyToken, type LogPosition } from '@jetnotes/schemas'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { CommandResponse, Executed, PlannedAppend } from '../commands/execute-command.ts'
import type { CommandMetrics } from '../metrics.ts'
import { requestFingerprint, sha256 } from './fingerprint.ts'
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from './idempotency-store.ts'

/** What a command needs from the idempotency layer: the message id to append with, and the hook to record it. */
export type IdempotencyContext = { msgId: string; beforeAppend: (plan: PlannedAppend) => Promise<void> }

/** A pending record younger than this belongs to a request that may still be running. */
const inFlightMs = 30_000

const keyPattern = /^[\x21-\x7e]{1,255}$/

/**
 * Runs a command under its `Idempotency-Key`, if it has one. A retry with the same key gets the first response
 * again (with `Idempotent-Replayed: true`) and appends nothing; the same key with another request is 422.
 *
 * Records live for 24 hours in a KV bucket. Before the append, a `pending` record notes where the message will
 * go and the answer it will give; after it, the `done` record holds the response. If the process dies in
 * between, a retry looks in the log right after the expected sequence for a message with the key's message id:
 * found, the command was applied and its answer is replayed; not found, the command runs again.
 */
export class Idempotency {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly jsm: JetStreamManager,
    private readonly logger: FastifyBaseLogger,
    /** Counts the commands answered from their record. */
    private readonly replays: CommandMetrics['idempotentReplays'],
  ) {}

  /**
   * Runs a command without an idempotency record, whatever `Idempotency-Key` says: for commands whose answer
   * holds a secret (a sign-in's session token) that must not be kept in the bucket. A retry runs it again.
   */
  async once(command: (context: IdempotencyContext) => Promise<Executed>): Promise<StoredResponse> {
    return finish(await command({ msgId: randomUUID(), beforeAppend: async () => {} }))
  }

  async run(
    request: FastifyRequest,
    scope: string,
    command: (context: IdempotencyContext) => Promise<Executed>,
  ): Promise<StoredResponse> {
    const key = request.headers['idempotency-key']
    if (key === undefined) {
      return finish(await command({ msgId: randomUUID(), beforeAppend: async () => {} }))
    }
    if (typeof key !== 'string' || !keyPattern.test(key)) {
      throw new BadRequestError('Idempotency-Key must be 1-255 printable ASCII characters', 'Idempotency-Key')
    }
    const recordKey = sha256(`${scope}\n${key}`)
    const fingerprint = requestFingerprint({
      method: request.method,
      path: request.url.split('?')[0] ?? '',
      ifMatch: request.headers['if-match'],
      body: request.body,
    })

    let revision: number | undefined
    const existing = await this.store.get(recordKey)
    if (existing !== undefined) {
      if (existing.record.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError()
      const outcome = await this.#settle(recordKey, existing.record)
      if (outcome !== 'abandoned') {
        this.replays.inc()
        return replayed(outcome)
      }
      revision = existing.revision
    }

    const executed = await command({
      msgId: recordKey,
      beforeAppend: async (plan) => {
        const pending: IdempotencyRecord = { state: 'pending', fingerprint, startedAt: Date.now(), plan }
        try {
          revision =
            revision === undefined
              ? await this.store.create(recordKey, pending)
              : await this.store.update(recordKey, pending, revision)
        } catch (error) {
          // No server answered (503): not another request holding the key. A retry finds the record if it landed.
          if (isNatsUnreachable(error)) throw error
          throw Object.assign(new IdempotencyKeyInUseError(), { cause: error })
        }
      },
    })
    const response = finish(executed)
    await this.store.put(recordKey, { state: 'done', fingerprint, response }).catch((error: unknown) => {
      // The pending record and the log still let a retry find this answer.
      this.logger.warn({ err: error }, 'could not record the idempotent response')
    })
    return response
  }

  /** The response of a recorded key, or whether its request is still running or was abandoned. */
  async #settle(recordKey: string, record: IdempotencyRecord): Promise<StoredResponse | 'abandoned'> {
    if (record.state === 'done') return record.response
    const { plan } = record
    const next = await nextOfSubject(this.jsm, plan.stream, plan.subject, plan.expectedSeq)
    if (next !== null && next.msgId === recordKey) {
      const response = finish({ response: plan.response, position: { stream: plan.stream, seq: next.seq } })
      await this.store.put(recordKey, { state: 'done', fingerprint: record.fingerprint, response })
      return response
    }
    if (Date.now() - record.startedAt < inFlightMs) throw new IdempotencyKeyInUseError()
    return 'abandoned'
  }
}

/** The response with the Consistency-Token of the position the command reached. */
const finish = ({ response, position }: Executed): StoredResponse => withToken(response, position)

const withToken = (response: CommandResponse, position: LogPosition): StoredResponse => ({
  ...response,
  headers: { ...response.headers, 'consistency-token': encodeConsistencyToken(position) },
})

const replayed = (response: StoredResponse): StoredResponse => ({
  ...response,
  headers: { ...response.headers, 'idempotent-replayed': 'true' },
})
