/** @jetnotes/testing: the one shared test harness (a real nats-server per test, in a temp dir). */
export {
  type CommandServiceProcess,
  type CommandServiceProcessOptions,
  startCommandServiceProcess,
} from './command-service-process.ts'
export { type AckedCreate, type CreateLoad, startCreateLoad } from './create-load.ts'
export { freePort, freePorts } from './free-ports.ts'
export {
  createNote,
  type HttpClient,
  httpClient,
  type Reply,
  type RequestOptions,
  registerUser,
} from './http-client.ts'
export { expectedList, foldNotes, foldUsers, readBucket, readStream } from './log-fold.ts'
export {
  type NatsClusterHandle,
  type NatsClusterOptions,
  type NatsNode,
  startNatsCluster,
} from './nats-cluster.ts'
export {
  findNatsServer,
  type NatsServerHandle,
  type NatsServerOptions,
  startNatsServer,
} from './nats-server.ts'
export { type NoteListsContent, noteListsOf } from './note-lists.ts'
export { type ProjectorProcess, startProjectorProcess } from './projector-process.ts'
export { metricValue, parsePrometheusText, type Sample, scrapeMetrics } from './prometheus-text.ts'
export { type EventStream, type LiveMessage, openEventStream } from './sse-client.ts'
export { type RunningSystem, type SystemOptions, startInProcessProjector, startSystem } from './system.ts'
export {
  caughtUp,
  expectViewsEqualFold,
  generationsOf,
  projectionsBehind,
  type ViewSources,
  viewDifferences,
} from './views.ts'
export { createManyNotes, randomCommands, seededRandom } from './workload.ts'
