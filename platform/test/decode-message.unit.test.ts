import { Writable } from 'node:stream'
import { noteAggregate, subjects, userAggregate } from '@jetnotes/schemas'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import {
  decodeMessage,
  eventsOf,
  type InvalidMessage,
  invalidMessageLogLine,
  reportInvalidMessagesTo,
} from '../src/index.ts'

const noteCreated = (noteId: string) => ({
  id: 'evt-1',
  type: 'NoteCreated',
  schemaVersion: 2,
  aggregateId: noteId,
  version: 1,
  actor: 'ann',
  time: '2026-01-01T10:00:00.000Z',
  correlationId: 'req-1',
  data: { title: 'T', body: 'B', tags: ['a'] },
})

const bytes = (text: string) => new TextEncoder().encode(text)
const commitOf = (...events: unknown[]) => bytes(JSON.stringify({ events }))

describe('a valid commit', () => {
  it('decodes into its events, from bytes or from a payload already parsed', () => {
    const data = commitOf(noteCreated('n1'))
    const fromBytes = decodeMessage(noteAggregate, { seq: 7, subject: subjects.note('n1'), data })
    const fromJson = decodeMessage(noteAggregate, {
      seq: 7,
      subject: subjects.note('n1'),
      parsed: { events: [noteCreated('n1')] },
    })
    expect(fromBytes).toEqual({ valid: true, events: [noteCreated('n1')] })
    expect(fromJson).toEqual(fromBytes)
  })

  it('upcasts an event written with an older schema', () => {
    const v1 = { ...noteCreated('n1'), schemaVersion: 1, data: { title: 'T', body: 'B' } }
    const decoded = decodeMessage(noteAggregate, { seq: 1, subject: 'notes.n1', data: commitOf(v1) })
    expect(decoded).toMatchObject({ valid: true, events: [{ schemaVersion: 2, data: { tags: [] } }] })
  })
})

describe('an invalid message', () => {
  const invalidOf = (decoded: ReturnType<typeof decodeMessage>): InvalidMessage => {
    if (decoded.valid) throw new Error('expected an invalid message')
    return decoded.invalid
  }

  it('that is not JSON says so, with its stream, seq and subject', () => {
    const invalid = invalidOf(
      decodeMessage(noteAggregate, { seq: 3, subject: 'notes.n1', data: bytes('garbage') }),
    )
    expect(invalid).toMatchObject({ stream: 'NOTES', seq: 3, subject: 'notes.n1' })
    expect(invalid.reason).toMatch(/^not JSON: /)
  })

  it('that is not UTF-8 is not JSON either', () => {
    const data = new Uint8Array([0x7b, 0xff, 0x7d])
    expect(invalidOf(decodeMessage(noteAggregate, { seq: 3, subject: 'notes.n1', data })).reason).toMatch(
      /^not JSON: /,
    )
  })

  it('that fails validation names the fields at fault', () => {
    const exploded = { ...noteCreated('n1'), type: 'NoteExploded' }
    const invalid = invalidOf(
      decodeMessage(noteAggregate, { seq: 4, subject: 'notes.n1', data: commitOf(exploded) }),
    )
    expect(invalid.reason).toMatch(/^events\.0\.type: /)
    expect(
      invalidOf(decodeMessage(noteAggregate, { seq: 4, subject: 'notes.n1', parsed: { events: [] } })).reason,
    ).toMatch(/^events: /)
    expect(
      invalidOf(decodeMessage(noteAggregate, { seq: 4, subject: 'notes.n1', parsed: 'text' })).reason,
    ).toMatch(/^\(root\): /)
  })

  it('on a subject of another aggregate is refused, even with valid events', () => {
    const invalid = invalidOf(
      decodeMessage(userAggregate, { seq: 5, subject: 'notes.n1', data: commitOf(noteCreated('n1')) }),
    )
    expect(invalid).toMatchObject({ stream: 'USERS', seq: 5, subject: 'notes.n1' })
    expect(invalid.reason).toContain('notes.n1')
  })

  it('whose events name another aggregate than its subject is refused', () => {
    const invalid = invalidOf(
      decodeMessage(noteAggregate, { seq: 6, subject: 'notes.n1', data: commitOf(noteCreated('n2')) }),
    )
    expect(invalid.reason).toBe("events.0.aggregateId: n2 is not n1 (the subject's)")
  })
})

describe('the events of a message, for a reader that skips invalid ones', () => {
  it('are none for an invalid message, which is reported once', () => {
    const reported: InvalidMessage[] = []
    const events = eventsOf(noteAggregate, { seq: 9, subject: 'notes.n1', data: bytes('{') }, (invalid) =>
      reported.push(invalid),
    )
    expect(events).toEqual([])
    expect(reported).toEqual([expect.objectContaining({ stream: 'NOTES', seq: 9, subject: 'notes.n1' })])
  })

  it('are reported nowhere when the message is valid', () => {
    const reported: InvalidMessage[] = []
    const data = commitOf(noteCreated('n1'))
    expect(
      eventsOf(noteAggregate, { seq: 1, subject: 'notes.n1', data }, (i) => reported.push(i)),
    ).toHaveLength(1)
    expect(reported).toEqual([])
  })

  it('are reported as one warning with the same fields in every reader', () => {
    const lines: Record<string, unknown>[] = []
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
        done()
      },
    })
    const report = reportInvalidMessagesTo(pino({ level: 'info' }, destination), 'live-hub')
    eventsOf(noteAggregate, { seq: 9, subject: 'notes.n1', data: bytes('garbage') }, report)
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: invalidMessageLogLine,
        reader: 'live-hub',
        stream: 'NOTES',
        seq: 9,
        subject: 'notes.n1',
        reason: expect.stringMatching(/^not JSON: /),
      }),
    ])
  })
})
