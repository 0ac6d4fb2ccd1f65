import { accessSync, constants, existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import { fileURLToPath } from 'node:url'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { findNatsServer, type NatsServerHandle, startNatsServer } from '../src/index.ts'

const repoConfig = fileURLToPath(new URL('../../nats-server.conf', import.meta.url))

/** Whether anything accepts TCP connections on the port: a running nats-server does. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

/** Adds a stream, publishes one message to it and disconnects. */
const storeOneMessage = async (server: NatsServerHandle) => {
  await using nc = await server.connect('operator')
  const jsm = await jetstreamManager(nc)
  await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] })
  await jetstream(nc).publish('kept.one', 'hello')
}

/** The messages in the stream stored by storeOneMessage, and the first one's payload. */
const readStoredMessages = async (server: NatsServerHandle) => {
  await using nc = await server.connect('operator')
  const jsm = await jetstreamManager(nc)
  const { state } = await jsm.streams.info('KEPT')
  const first = await jsm.streams.getMessage('KEPT', { seq: 1 })
  return { messages: state.messages, first: first?.string() }
}

describe('findNatsServer', () => {
  it('finds an executable nats-server', () => {
    const binary = findNatsServer()
    expect(() => accessSync(binary, constants.X_OK)).not.toThrow()
  })
})

describe('startNatsServer', () => {
  it('starts two servers on different random ports, each with its own store directory', async () => {
    await using first = await startNatsServer()
    await using second = await startNatsServer()

    expect(first.port).not.toBe(second.port)
    expect(first.url).toBe(`nats://127.0.0.1:${first.port}`)
    expect(first.storeDir).not.toBe(second.storeDir)
    for (const server of [first, second]) {
      await using nc = await server.connect('operator')
      expect(nc.info?.jetstream).toBe(true)
    }
  })

  it('stops the server and removes its store directory when disposed', async () => {
    let disposed: NatsServerHandle
    {
      await using server = await startNatsServer()
      await storeOneMessage(server)
      expect(existsSync(server.storeDir)).toBe(true)
      disposed = server
    }

    expect(existsSync(disposed.storeDir)).toBe(false)
    expect(await accepts(disposed.port)).toBe(false)
  })

  describe('when the server is restarted', () => {
    it('keeps the port and the JetStream data', async () => {
      await using server = await startNatsServer()
      await storeOneMessage(server)
      const { port, url } = server

      await server.restart()

      expect(server.port).toBe(port)
      expect(server.url).toBe(url)
      expect(await readStoredMessages(server)).toEqual({ messages: 1, first: 'hello' })
    })

    it('keeps the data after a crash (SIGKILL) too', async () => {
      await using server = await startNatsServer()
      await storeOneMessage(server)

      await server.kill()
      expect(await accepts(server.port)).toBe(false)
      await server.restart()

      expect(await readStoredMessages(server)).toEqual({ messages: 1, first: 'hello' })
    })
  })

  it('lets in only the users of nats-auth.conf, each with its own password', async () => {
    await using server = await startNatsServer()
    const attempts = {
      anonymous: {},
      'wrong password': { user: 'operator', pass: 'jn_not-the-password' },
      "another user's password": { user: 'operator', pass: server.settings('projector').password },
    }
    for (const [attempt, login] of Object.entries(attempts)) {
      await expect(connect({ servers: server.url, ...login }), attempt).rejects.toThrow(/authorization/i)
    }
    for (const user of ['command-service', 'projector', 'query-service', 'operator'] as const) {
      await using nc = await server.connect(user)
      expect(nc.info?.jetstream, user).toBe(true)
    }
  })

  describe('when given the repo configuration', () => {
    it('runs with its limits on a random port', async () => {
      await using server = await startNatsServer({ configFile: repoConfig })
      await using nc = await server.connect('operator')

      expect(server.port).not.toBe(4222)
      expect(nc.info?.max_payload).toBe(8 * 1024 * 1024)
    })
  })
})
