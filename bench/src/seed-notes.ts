import { randomUUID } from 'node:crypto'
import { noteAggregate, parseCommit } from '@jetnotes/schemas'
import type { LoadContext } from './load-context.ts'
import { noteCreatedMessage } from './note-messages.ts'

/**
 * Gives a user `count` notes fast: publishes NoteCreated commits straight to NOTES (the message, subject and
 * headers the command-service appends, with `seedInFlight` publishes in flight), bypassing the command-service,
 * which creates about 2,000 notes a second here. The projector folds them like any other notes; wait for it
 * with `untilProjected`. Returns the notes published per second.
 */
export const seedNotes = async (
  { js, sizes, say }: LoadContext,
  owner: string,
  count: number,
  label: string,
): Promise<{ perSecond: number }> => {
  const message = (id: string, index: number) =>
    noteCreatedMessage(id, owner, {
      title: `Seeded note ${index}`,
      body: 'Seeded by the bench.',
      tags: ['bench'],
    })
  // A malformed seed would be parked by the projector and the wait would still end: refuse it here instead.
  parseCommit(noteAggregate, JSON.parse(message(randomUUID(), 0)))
  const timeoutMs = 30_000 + count
  const reportEvery = Math.max(1_000, Math.ceil(count / 10))
  const started = performance.now()
  let next = 0
  let published = 0
  const publisher = async () => {
    while (next < count) {
      const index = next++
      if (performance.now() - started > timeoutMs) {
        throw new Error(`seeding published only ${published} of ${count} notes in ${timeoutMs / 1000} s`)
      }
      const id = randomUUID()
      await js.publish(noteAggregate.subject(id), message(id, index), {
        msgID: randomUUID(),
        expect: { lastSubjectSequence: 0 },
      })
      if (++published % reportEvery === 0) say(`${label}: seeded ${published} of ${count} notes`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(sizes.seedInFlight, count) }, publisher))
  return { perSecond: count / ((performance.now() - started) / 1000) }
}
