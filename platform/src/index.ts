/**
 * @jetnotes/platform: the edges every service shares. NATS connection and stream set-up, reading the event
 * log, the user directory behind bearer tokens, the HTTP base (problem+json, OpenAPI, health), metrics
 * and tracing.
 */
export { type IssuedToken, issueToken, type ParsedToken, parseToken, sameHash } from './auth/tokens.ts'
export { sessionIdOf, UserDirectory } from './auth/user-directory.ts'
export {
  CommonEnv,
  ConfigError,
  loadConfig,
  loadConfigOrExit,
  loadDotEnv,
  natsSettingsOf,
  Port,
  rateLimitsOf,
} from './config.ts'
export {
  type DecodableAggregate,
  type DecodedMessage,
  decodeMessage,
  eventsOf,
  type InvalidMessage,
  type InvalidMessageReport,
  invalidMessageLogLine,
  type LogMessage,
  reportInvalidMessagesTo,
} from './event-log/decode-message.ts'
export { type Aggregate, type Folded, foldSubject, isAcceptedCommit } from './event-log/fold-subject.ts'
export { acceptedEvents, refusalOf, type Versioned, versionOf } from './event-log/next-version.ts'
export { type LoggedCommit, nextOfSubject, readSubject } from './event-log/read-subject.ts'
export { authenticate, bearerToken, callerOf, knownUserOf } from './http/authentication.ts'
export { createHttpApp, type HttpApp, type HttpAppOptions } from './http/create-app.ts'
export {
  BadRequestError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidCredentialsError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  UserNotFoundError,
} from './http/errors.ts'
export { etagOf } from './http/etag.ts'
export { type Readiness, type ReadinessCheck, registerHealth } from './http/health.ts'
export { natsRequired } from './http/nats-required.ts'
export {
  type Problem,
  ProblemSchema,
  problem,
  problemResponses,
  problemType,
  registerProblemDetails,
  sendProblem,
  toProblem,
} from './http/problem-details.ts'
export { type RateLimits, unlimited } from './http/rate-limit.ts'
export { responseSerializer, sendSerialized } from './http/serialized-response.ts'
export { createLogger, redactUrl } from './logger.ts'
export { type BucketOptions, ensureBucket } from './nats/buckets.ts'
export { type ConnectNatsOptions, connectNats, type NatsSettings } from './nats/connection.ts'
export { type ConnectionWatch, NatsDisconnectedError, watchConnection } from './nats/connection-watch.ts'
export { isNatsUnreachable, isWrongLastSequence } from './nats/errors.ts'
export { findNatsServer } from './nats/find-nats-server.ts'
export { type FollowStreamOptions, followStream, type StreamFollower } from './nats/follow-stream.ts'
export { waitForJetStream } from './nats/jetstream-available.ts'
export { FollowedStreamHead, type StreamHead, type StreamHeadReading } from './nats/stream-head.ts'
export { ensureEventLogStreams } from './nats/streams.ts'
export {
  generatePassword,
  type NatsUser,
  natsPasswordPattern,
  natsUsers,
  passwordVariableOf,
  passwordVariables,
} from './nats/users.ts'
export { registerMetrics } from './observability/http-metrics.ts'
export { latencyBuckets, metricPrefix, ServiceMetrics } from './observability/metrics.ts'
export { traceContextOf, traceHeaders } from './observability/nats-trace-context.ts'
export {
  type InSpanOptions,
  inSpan,
  inSpanSync,
  isTracing,
  startTracing,
  type Tracing,
  type TracingOptions,
  tracerOf,
  tracesWanted,
} from './observability/tracing.ts'
export { type RunningService, runService } from './service.ts'
