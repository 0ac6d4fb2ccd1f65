import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import type { Generations } from './generations.ts'

/** What the projector works with: its NATS connection, JetStream, the generations of its projections, a logger. */
export type ProjectorDeps = {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  generations: Generations
  logger: Logger
}
