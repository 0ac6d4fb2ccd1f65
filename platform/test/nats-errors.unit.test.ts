import { JetStreamApiError } from '@nats-io/jetstream'
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { isNatsUnreachable, isWrongLastSequence } from '../src/nats/errors.ts'

describe('a NATS call that found no server', () => {
  it('is a timeout, also wrapped in a request error, or JetStream answering 503', () => {
    expect(isNatsUnreachable(new TimeoutError())).toBe(true)
    expect(isNatsUnreachable(new RequestError('failed', { cause: new TimeoutError() }))).toBe(true)
    const noResponders = new RequestError('no responders', { cause: new NoRespondersError('$JS.API.INFO') })
    expect(isNatsUnreachable(new Error('jetstream is not enabled', { cause: noResponders }))).toBe(true)
    const unavailable = new JetStreamApiError({ code: 503, err_code: 10008, description: 'unavailable' })
    expect(isNatsUnreachable(unavailable)).toBe(true)
  })

  it('is not a refused expectation, nor any other error', () => {
    const conflict = new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence' })
    expect(isWrongLastSequence(conflict)).toBe(true)
    expect(isNatsUnreachable(conflict)).toBe(false)
    expect(isNatsUnreachable(new Error('boom'))).toBe(false)
    expect(isNatsUnreachable('timeout')).toBe(false)
  })
})
