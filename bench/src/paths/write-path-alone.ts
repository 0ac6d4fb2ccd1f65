import { startCommandServiceProcess, startNatsServer } from '@jetnotes/testing'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { httpClient } from '../http.ts'
import type { LoadContext } from '../load-context.ts'
import type { Row } from '../report.ts'
import { measureWrites } from './writes.ts'

/**
 * "create note" and "edit note with If-Match" with nothing else running: a nats-server of its own and one
 * command-service (no projector, no query-service, nothing folding what it appends), so the rows measure the
 * command-service against raw publish to the same server, not the whole system's share of the two cores. The
 * command-service logs at info, as `npm start` runs it (its lines go nowhere: what they cost is its own work).
 */
export const measureWritePathAlone = async (
  context: LoadContext,
  options: { profileArgs: readonly string[] },
): Promise<Row[]> => {
  await using nats = await startNatsServer({ configFile: 'nats-server.conf' })
  await using service = await startCommandServiceProcess(
    nats,
    {
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_USER: '100000000',
      RATE_LIMIT_PER_ADDRESS: '100000000',
    },
    { execArgv: options.profileArgs, output: 'ignore' },
  )
  context.say(`write path alone: command-service pid ${service.child.pid}`)
  const nc = await nats.connect('operator', { name: 'bench-load', logger: context.logger })
  const commands = httpClient(service.api.base, context.sizes.concurrency)
  try {
    const { rows } = await measureWrites(context, {
      commands,
      js: jetstream(nc),
      jsm: await jetstreamManager(nc),
      suffix: ', command-service alone',
    })
    return rows
  } finally {
    await commands.close()
    await nc.close()
  }
}
