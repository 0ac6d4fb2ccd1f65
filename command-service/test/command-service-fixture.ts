import {
  createNote,
  type HttpClient,
  httpClient,
  type NatsServerHandle,
  type Reply,
  registerUser,
  startNatsServer,
} from '@jetnotes/testing'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { pino } from 'pino'
import { buildCommandApp } from '../src/app.ts'
import { openCommandContext } from '../src/context.ts'

/** A command-service on a real socket, in this process, against the given NATS server. */
export const startCommandApp = async (nats: NatsServerHandle) => {
  const logger = pino({ level: 'silent' })
  const nc = await nats.connect('command-service', { name: 'test-command', logger })
  const context = await openCommandContext(nc, { replicas: 1 }, logger)
  const app = await buildCommandApp(context, logger)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    nc,
    context,
    api: httpClient(`http://127.0.0.1:${address.port}`),
    close: async () => {
      await app.close()
      context.close()
      await nc.close()
    },
  }
}

/** A nats-server in a temp dir and a command-service on it; `await using` tears both down. */
export const startCommandService = async () => {
  const nats = await startNatsServer()
  const service = await startCommandApp(nats)
  // What a test inspects in the streams it inspects as the operator.
  const operatorNc = await nats.connect('operator')
  const jsm = await jetstreamManager(operatorNc)
  return {
    nats,
    ...service,
    operatorNc,
    jsm,
    /** Messages in a stream: the assertion behind "nothing was appended". */
    messageCount: async (stream: 'NOTES' | 'USERS') => (await jsm.streams.info(stream)).state.messages,
    /** Messages on one aggregate's subject. */
    subjectCount: async (stream: 'NOTES' | 'USERS', subject: string) => {
      const info = await jsm.streams.info(stream, { subjects_filter: subject })
      return info.state.subjects?.[subject] ?? 0
    },
    async [Symbol.asyncDispose]() {
      await service.close()
      await operatorNc.close()
      await nats[Symbol.asyncDispose]()
    },
  }
}

export type CommandService = Awaited<ReturnType<typeof startCommandService>>

export type { NatsConnection }
export { createNote, type HttpClient, httpClient, type Reply, registerUser }
