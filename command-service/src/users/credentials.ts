import type { KV } from '@nats-io/kv'

/**
 * Password hashes, in the command side's `credentials` bucket under `<userId>.<credentialId>`: out of the event
 * log (which only says which credential is current, with `UserPasswordChanged`), out of every other service's
 * reach (nats-auth.conf). A hash is written before the event that makes it current, so a crash in between
 * leaves at most a key no event names. Keys are never reused: a new password is a new credential, and the one
 * it replaced is purged once the change is in the log (an old password's hash is worth nothing kept).
 */
export class Credentials {
  constructor(private readonly kv: KV) {}

  async store(userId: string, credentialId: string, hash: string): Promise<void> {
    await this.kv.create(keyOf(userId, credentialId), hash)
  }

  /** Removes a credential no event makes current any longer (its value and its history). */
  async forget(userId: string, credentialId: string): Promise<void> {
    await this.kv.purge(keyOf(userId, credentialId))
  }

  /** The hash of a credential, or `undefined` if the bucket has none under its key. */
  async hashOf(userId: string, credentialId: string): Promise<string | undefined> {
    const entry = await this.kv.get(keyOf(userId, credentialId))
    return entry?.operation === 'PUT' ? entry.string() : undefined
  }
}

const keyOf = (userId: string, credentialId: string) => `${userId}.${credentialId}`
