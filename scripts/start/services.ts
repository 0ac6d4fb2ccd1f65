import type { NatsUser } from '@jetnotes/platform'

/** The services `npm start` runs (and the benchmark, the same way), in start-up order, each with its NATS user. */
export const services: readonly { name: string; entry: string; natsUser: NatsUser }[] = [
  { name: 'command', entry: 'command-service/src/server.ts', natsUser: 'command-service' },
  { name: 'projector', entry: 'projector/src/main.ts', natsUser: 'projector' },
  { name: 'query', entry: 'query-service/src/server.ts', natsUser: 'query-service' },
]
