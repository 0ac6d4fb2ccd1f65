/**
 * Errors a decider returns, and the edges throw. Each has a stable machine-readable `code` (part of the API:
 * it becomes the problem+json `type`) and the HTTP status it maps to.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The aggregate does not exist, or the caller may not know that it does. */
export class NotFoundError extends DomainError {
  constructor(message = 'Not found', options?: ErrorOptions) {
    super('not-found', 404, message, options)
  }
}

/** The caller can see the aggregate but may not do this to it. */
export class ForbiddenError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super('forbidden', 403, message, options)
  }
}

/** The caller's expected version (If-Match) is not the current one. */
export class VersionConflictError extends DomainError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    options?: ErrorOptions,
  ) {
    super(
      'version-conflict',
      412,
      `Expected version ${expected}, but the current version is ${actual}`,
      options,
    )
  }
}

/** The command conflicts with existing state (for example an e-mail address that is taken). */
export class ConflictError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super('conflict', 409, message, options)
  }
}

/** The command is well-formed but cannot apply (for example sharing a note with its owner). */
export class UnprocessableError extends DomainError {
  constructor(
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super('unprocessable', 422, message, options)
  }
}
