/** The services `npm start` runs (and the benchmark, the same way), in start-up order. */
export const services = [
  { name: 'command', entry: 'command-service/src/server.ts' },
  { name: 'projector', entry: 'projector/src/main.ts' },
  { name: 'query', entry: 'query-service/src/server.ts' },
] as const
