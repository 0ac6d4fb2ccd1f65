import { describe, expect, it } from 'vitest'
import { SignInLimits } from '../src/users/sign-in-limits.ts'

const clock = () => {
  let now = 1_000_000
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

const refused = (attempt: () => void) => {
  try {
    attempt()
    return undefined
  } catch (error) {
    return error as { status: number; retryAfterSeconds: number }
  }
}

describe('sign-in limits', () => {
  it('refuse the attempt after the limit per e-mail address, whatever its case, until the window ends', () => {
    const time = clock()
    const limits = new SignInLimits({ perEmail: 3, perAddress: 0, windowMs: 60_000 }, time.now)
    for (let attempt = 0; attempt < 3; attempt++) limits.attempt('ann@example.com', `10.0.0.${attempt}`)
    time.advance(20_000)
    const error = refused(() => limits.attempt('ANN@example.com ', '10.0.0.9'))
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 40 })
    expect(refused(() => limits.attempt('bea@example.com', '10.0.0.9'))).toBeUndefined()
    time.advance(40_000)
    expect(refused(() => limits.attempt('ann@example.com', '10.0.0.9'))).toBeUndefined()
  })

  it('refuse the attempt after the limit per client address, across e-mail addresses', () => {
    const limits = new SignInLimits({ perEmail: 0, perAddress: 2, windowMs: 60_000 })
    limits.attempt('a@example.com', '10.0.0.1')
    limits.attempt('b@example.com', '10.0.0.1')
    expect(refused(() => limits.attempt('c@example.com', '10.0.0.1'))?.status).toBe(429)
    expect(refused(() => limits.attempt('c@example.com', '10.0.0.2'))).toBeUndefined()
  })

  it("forget an e-mail address's attempts after a success, not the client address's", () => {
    const limits = new SignInLimits({ perEmail: 2, perAddress: 3, windowMs: 60_000 })
    limits.attempt('ann@example.com', '10.0.0.1')
    limits.attempt('ann@example.com', '10.0.0.1')
    limits.succeeded('ann@example.com')
    limits.attempt('ann@example.com', '10.0.0.1')
    expect(refused(() => limits.attempt('ann@example.com', '10.0.0.1'))?.status).toBe(429)
  })

  it('count a refused attempt against neither limit', () => {
    const limits = new SignInLimits({ perEmail: 1, perAddress: 2, windowMs: 60_000 })
    limits.attempt('ann@example.com', '10.0.0.1')
    for (let attempt = 0; attempt < 5; attempt++) refused(() => limits.attempt('ann@example.com', '10.0.0.1'))
    expect(refused(() => limits.attempt('bea@example.com', '10.0.0.1'))).toBeUndefined()
  })
})
