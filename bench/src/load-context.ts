import type { NatsSettings } from '@jetnotes/platform'
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import type { HttpClient } from './http.ts'
import type { Sizes } from './sizes.ts'

/** What the load process hands every path: the system's addresses, clients, and the sizes of this run. */
export type LoadContext = {
  sizes: Sizes
  commands: HttpClient
  queries: HttpClient
  queryUrl: string
  /** The query-service's inspector (DevTools protocol), where its memory is read after a full GC. */
  queryInspector?: string
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  logger: Logger
  /** Prints a progress line (the orchestrator prefixes it). */
  say: (message: string) => void
}

/** The two services' addresses and the NATS server, as the orchestrator passes them in BENCH_TARGET. */
export type Target = {
  commandUrl: string
  queryUrl: string
  /** The load generator connects as the operator: it reads and writes streams and buckets directly. */
  nats: NatsSettings
  quick: boolean
  /** The query-service's inspector (DevTools protocol), where its memory is read after a full GC. */
  queryInspector?: string
  /** Node options that make a process write its CPU profile (`--profile`), for the processes a path starts. */
  profiling: string[]
  /** Paths to run besides the writes (write-alone, read, history, rebuild, lag, live, peer, bystander, list, big-user); all when absent. */
  only?: string[]
}
