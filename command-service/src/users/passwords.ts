import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * Passwords are hashed with scrypt (Node's crypto, on libuv's thread pool: a hash does not block the event
 * loop). N = 2^15, r = 8, p = 1 costs about 100 ms and 32 MiB here: slow enough that a stolen `credentials`
 * bucket is expensive to guess through, fast enough for a sign-in. The parameters are stored with each hash
 * (`scrypt$N$r$p$salt$hash`, base64url), so they can be raised later without breaking the hashes already kept.
 */
const current = { N: 2 ** 15, r: 8, p: 1 }
const saltBytes = 16
const keyBytes = 32
const scheme = 'scrypt'

/** scrypt needs 128 * N * r bytes; Node refuses above `maxmem` (32 MiB by default, exactly what N=2^15 needs). */
const maxmemFor = ({ N, r }: { N: number; r: number }) => 256 * N * r

const derive = (password: string, salt: Buffer, options: ScryptOptions & { N: number; r: number }) =>
  new Promise<Buffer>((resolve, reject) =>
    // NFC: the same password typed on two devices may arrive in two Unicode spellings.
    scrypt(
      password.normalize('NFC'),
      salt,
      keyBytes,
      { ...options, maxmem: maxmemFor(options) },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  )

/** A new hash of `password` with a fresh random salt, in the stored format. */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(saltBytes)
  const key = await derive(password, salt, current)
  const { N, r, p } = current
  return [scheme, N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** Whether `password` is the one `stored` is the hash of (compared in constant time). A malformed hash: false. */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const parsed = parseHash(stored)
  if (parsed === undefined) return false
  const key = await derive(password, parsed.salt, parsed)
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

/**
 * A hash no password matches the way a real one would, to verify against when there is no real one (unknown
 * e-mail, no password set), so that those answers take as long as a wrong password does.
 */
export const dummyHash: Promise<string> = hashPassword(randomBytes(16).toString('base64url'))

const parseHash = (stored: string) => {
  const [name, N, r, p, salt, key, ...rest] = stored.split('$')
  if (name !== scheme || salt === undefined || key === undefined || rest.length > 0) return undefined
  const numbers = [N, r, p].map(Number)
  if (!numbers.every((value) => Number.isSafeInteger(value) && value > 0)) return undefined
  const [cost = 0, blockSize = 0, parallelization = 0] = numbers
  return {
    N: cost,
    r: blockSize,
    p: parallelization,
    salt: Buffer.from(salt, 'base64url'),
    key: Buffer.from(key, 'base64url'),
  }
}
