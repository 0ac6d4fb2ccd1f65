import { randomUUID } from 'node:crypto'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { ceilingStream } from '../ceiling-stream.ts'
import { type HttpClient, registerUser } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import { measureRounds, type Summary } from '../measure.ts'
import { noteCreatedMessage, noteEditedMessage } from '../note-messages.ts'
import { type Row, throughputRow } from '../report.ts'

const note = {
  title: 'A benchmark note',
  body: 'Something worth writing down, about this long.',
  tags: ['bench'],
}

export type WriteResults = {
  rows: Row[]
  create: Summary
  /** One user per worker, and each one's note from the edit path (what the reads then fetch). */
  users: { id: string; token: string }[]
  notes: string[]
}

/**
 * Where the writes go: a command-service and the NATS server it appends to (the ceiling publishes there too),
 * and how the rows are named.
 */
export type WriteTarget = {
  commands: HttpClient
  js: JetStreamClient
  jsm: JetStreamManager
  /** The rows' names: "create note, 64 in flight" and "edit note with If-Match", then this, if given. */
  suffix?: string
}

/**
 * "create note" and "edit note with If-Match": POST /notes and PATCH /notes/:id against raw `js.publish` of
 * the same message (with the same msgID and expectation headers), at the same concurrency. By default against
 * the whole system; `target` names another command-service and its NATS server.
 */
export const measureWrites = async (
  context: LoadContext,
  target: WriteTarget = context,
): Promise<WriteResults> => {
  const { sizes, say } = context
  const { commands, jsm, js, suffix = '' } = target
  const ceiling = await ceilingStream(jsm)
  // One user per worker: each user's note list grows with what that worker creates, as with real users.
  const users = await Promise.all(
    Array.from({ length: sizes.concurrency }, (_, worker) =>
      registerUser(commands, `Bench writer ${worker}`),
    ),
  )
  const userOf = (worker: number) => users[worker] ?? users[0]
  const token = (worker: number) => userOf(worker)?.token ?? ''
  const actor = (worker: number) => userOf(worker)?.id ?? ''

  say(`create note${suffix}: jetnotes`)
  const create = await measureRounds(sizes.rounds, sizes.concurrency, async (worker) => {
    await commands.expect(201, 'POST', '/notes', { token: token(worker), body: note })
  })
  say(`create note${suffix}: raw js.publish`)
  const createCeiling = await measureRounds(sizes.rounds, sizes.concurrency, async (worker) => {
    const id = randomUUID()
    await js.publish(ceiling.subject(id), noteCreatedMessage(id, actor(worker), note), {
      msgID: randomUUID(),
      expect: { lastSubjectSequence: 0 },
    })
  })

  // Each worker edits its own note, always with the version it last saw: every PATCH succeeds.
  const notes: string[] = []
  const versions: number[] = []
  for (let worker = 0; worker < sizes.concurrency; worker++) {
    const reply = await commands.expect(201, 'POST', '/notes', { token: token(worker), body: note })
    notes.push(reply.body.id as string)
    versions.push(1)
  }
  say(`edit note with If-Match${suffix}: jetnotes`)
  const edit = await measureRounds(sizes.rounds, sizes.concurrency, async (worker) => {
    const reply = await commands.expect(200, 'PATCH', `/notes/${notes[worker]}`, {
      token: token(worker),
      body: { body: `edit ${randomUUID()}` },
      headers: { 'if-match': `"${versions[worker]}"` },
    })
    versions[worker] = reply.body.version as number
  })
  say(`edit note with If-Match${suffix}: raw publish with expect.lastSubjectSequence`)
  const subjects = notes.map(() => ceiling.subject(randomUUID()))
  const lastSeqs = notes.map(() => 0)
  const ceilingVersions = notes.map(() => 0)
  const editCeiling = await measureRounds(sizes.rounds, sizes.concurrency, async (worker) => {
    const version = (ceilingVersions[worker] ?? 0) + 1
    const ack = await js.publish(
      subjects[worker] ?? '',
      noteEditedMessage(notes[worker] ?? '', actor(worker), version, `edit ${randomUUID()}`),
      { msgID: randomUUID(), expect: { lastSubjectSequence: lastSeqs[worker] ?? 0 } },
    )
    lastSeqs[worker] = ack.seq
    ceilingVersions[worker] = version
  })

  return {
    rows: [
      throughputRow(
        `create note, ${sizes.concurrency} in flight${suffix}`,
        create,
        createCeiling,
        0.5,
        'js.publish',
      ),
      throughputRow(
        `edit note with If-Match${suffix}`,
        edit,
        editCeiling,
        0.5,
        'publish with expected sequence',
      ),
    ],
    create,
    users,
    notes,
  }
}
