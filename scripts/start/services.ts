import type { NatsUser } from '@jetnotes/platform'

/** A process `npm start` runs: its name in the output, its entry point, and its NATS user if it uses NATS. */
export type StartedService = { name: string; entry: string; natsUser?: NatsUser }

/** The services `npm start` runs (and the benchmark, the same way), in start-up order, each with its NATS user. */
export const services: readonly { name: string; entry: string; natsUser: NatsUser }[] = [
  { name: 'command', entry: 'command-service/src/server.ts', natsUser: 'command-service' },
  { name: 'projector', entry: 'projector/src/main.ts', natsUser: 'projector' },
  { name: 'query', entry: 'query-service/src/server.ts', natsUser: 'query-service' },
]

/** The web gateway: the browser's one origin, in front of the services. It uses no NATS. */
export const webGateway: StartedService = { name: 'web', entry: 'web/gateway/server.ts' }

/** What `npm start` runs, in start-up order: the services, then the gateway in front of them. */
export const startedByNpmStart: readonly StartedService[] = [...services, webGateway]
