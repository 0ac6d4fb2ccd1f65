import { DomainError } from '@jetnotes/schemas'

/** Errors of the HTTP edge. Like domain errors, each has a stable code and a status. */
export class UnauthorizedError extends DomainError {
  constructor(message = 'A valid bearer token is required') {
    super('unauthorized', 401, message)
  }
}

/**
 * A sign-in or a password check failed. The same problem whatever was wrong (no such e-mail, wrong password, no
 * password set, a deactivated account), so an answer never tells whether an address has an account: 401 for a
 * sign-in, 403 for a wrong current password from a signed-in user (their token is fine).
 */
export class InvalidCredentialsError extends DomainError {
  constructor(status: 401 | 403 = 401) {
    super('invalid-credentials', status, 'The e-mail address or password is not correct')
  }
}

/** No account has the e-mail address a request names. */
export class UserNotFoundError extends DomainError {
  constructor(message = 'No user has this e-mail address') {
    super('user-not-found', 404, message)
  }
}

export class BadRequestError extends DomainError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('bad-request', 400, message)
  }
}

/** The same Idempotency-Key was sent with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('idempotency-key-reused', 422, 'This Idempotency-Key was already used for a different request')
  }
}

/** A request with the same Idempotency-Key is still being processed. */
export class IdempotencyKeyInUseError extends DomainError {
  constructor(readonly retryAfterSeconds = 1) {
    super(
      'idempotency-key-in-use',
      409,
      'A request with this Idempotency-Key is still in progress; retry shortly',
    )
  }
}

/** The service cannot answer now; the client should retry after `retryAfterSeconds`. */
export class ServiceUnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: ErrorOptions,
  ) {
    super('unavailable', 503, message, options)
  }
}

/**
 * NATS cannot be reached now (nats-server is restarting, or the connection is re-established): what the request
 * needs (the event log, a read model) will be back shortly, the client should retry after `Retry-After`.
 */
export const natsUnreachable = (cause?: unknown) =>
  new ServiceUnavailableError(
    'The event store cannot be reached at the moment; retry shortly (a write retried with the same Idempotency-Key applies once)',
    2,
    { cause },
  )

/** The caller made more requests than its limit allows in the current window. */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate-limited', 429, `Too many requests; retry in ${retryAfterSeconds} s`)
  }
}

/** An OPTIONS request that is not a CORS preflight a browser would send. */
export class InvalidPreflightError extends DomainError {
  constructor() {
    super(
      'invalid-preflight',
      400,
      'A CORS preflight needs both an Origin and an Access-Control-Request-Method header',
    )
  }
}
