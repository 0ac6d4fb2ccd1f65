import { describe, expect, it } from 'vitest'
import { CommonEnv, ConfigError, loadConfig, natsSettingsOf, rateLimitsOf } from '../src/config.ts'

describe('the HTTP settings every service reads', () => {
  it('limit requests by default, per user and per address, and take 0 as no limit', () => {
    expect(rateLimitsOf(loadConfig(CommonEnv, {}))).toEqual({
      perUser: 3_000,
      perAddress: 1_000,
      windowMs: 10_000,
    })
    const off = loadConfig(CommonEnv, { RATE_LIMIT_PER_USER: '0', RATE_LIMIT_PER_ADDRESS: '0' })
    expect(rateLimitsOf(off)).toMatchObject({ perUser: 0, perAddress: 0 })
  })

  it('believe X-Forwarded-For from this host alone by default, from a listed peer, or from none', () => {
    expect(loadConfig(CommonEnv, {}).TRUST_PROXY).toEqual(['127.0.0.1', '::1'])
    expect(loadConfig(CommonEnv, { TRUST_PROXY: '10.0.0.0/8, 192.168.1.2' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '192.168.1.2',
    ])
    expect(loadConfig(CommonEnv, { TRUST_PROXY: 'false' }).TRUST_PROXY).toEqual([])
  })

  it('refuse a negative limit, naming the variable', () => {
    expect(() => loadConfig(CommonEnv, { RATE_LIMIT_PER_USER: '-1' })).toThrow(/RATE_LIMIT_PER_USER/)
  })

  it('allow no browser origin by default, and accept * or a list of exact origins', () => {
    expect(loadConfig(CommonEnv, {}).CORS_ORIGINS).toBe('')
    expect(loadConfig(CommonEnv, { CORS_ORIGINS: '' }).CORS_ORIGINS).toBe('')
    expect(loadConfig(CommonEnv, { CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*')
    const list = 'https://notes.example.com, http://localhost:5173'
    expect(loadConfig(CommonEnv, { CORS_ORIGINS: list }).CORS_ORIGINS).toBe(list)
  })

  it('refuse what a browser never sends as an origin, naming the variable', () => {
    for (const value of [
      'notes.example.com',
      'https://notes.example.com/',
      'https://a.example/app',
      'https://a.example,*',
    ]) {
      expect(() => loadConfig(CommonEnv, { CORS_ORIGINS: value })).toThrow(ConfigError)
      expect(() => loadConfig(CommonEnv, { CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/)
    }
  })
})

describe('the NATS settings every process connects with', () => {
  it('default to the local server npm start runs, on NATS_PORT, without credentials', () => {
    expect(natsSettingsOf(loadConfig(CommonEnv, { NATS_PORT: '4333' }))).toEqual({
      url: 'nats://127.0.0.1:4333',
      user: undefined,
      password: undefined,
    })
  })

  it('take NATS_URL and the credentials as given', () => {
    const env = { NATS_URL: 'nats://a:4222,nats://b:4222', NATS_USER: 'projector', NATS_PASSWORD: 'secret' }
    expect(natsSettingsOf(loadConfig(CommonEnv, env))).toEqual({
      url: 'nats://a:4222,nats://b:4222',
      user: 'projector',
      password: 'secret',
    })
  })
})
