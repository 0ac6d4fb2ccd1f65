import { describe, expect, it } from 'vitest'
import { dummyHash, hashPassword, verifyPassword } from '../src/users/passwords.ts'

describe('a password hash', () => {
  it('verifies the password it was made from and no other', async () => {
    const hash = await hashPassword('correct horse battery')
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  it('stores its parameters and a fresh 16-byte salt, so two hashes of one password differ', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')])
    expect(first).not.toBe(second)
    const [scheme, N, r, p, salt, key] = (first ?? '').split('$')
    expect({ scheme, N, r, p }).toEqual({ scheme: 'scrypt', N: '32768', r: '8', p: '1' })
    expect(Buffer.from(salt ?? '', 'base64url')).toHaveLength(16)
    expect(Buffer.from(key ?? '', 'base64url')).toHaveLength(32)
  })

  it('is checked with the parameters stored with it, so they can change later', async () => {
    const hash = await hashPassword('an older hash')
    const cheaper = hash.replace('$32768$', '$1024$')
    // Another N derives another key: the stored parameters are the ones used.
    expect(await verifyPassword('an older hash', cheaper)).toBe(false)
  })

  it('matches the same password typed in another Unicode spelling', async () => {
    const hash = await hashPassword('caf\u00e9 au lait')
    expect(await verifyPassword('cafe\u0301 au lait', hash)).toBe(true)
  })

  it('is refused, not thrown on, when malformed', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$x$8$1$abc$def',
      'bcrypt$32768$8$1$abc$def',
      `${await dummyHash}$x`,
    ]) {
      expect(await verifyPassword('whatever', stored)).toBe(false)
    }
  })
})
