/** An error answer of the API (RFC 9457 problem+json), shown to people by its title and detail. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly headers: Headers,
    /** The whole problem body (a 412's current state, validation `errors`, ...). */
    readonly body: unknown,
  ) {
    super(detail === undefined ? title : `${title}: ${detail}`)
  }

  /** The stable code at the end of the problem type (`urn:jetnotes:problem:<code>`). */
  get code(): string {
    return this.type.slice(this.type.lastIndexOf(':') + 1)
  }
}

/** What to show a person for a failed request. */
export const messageOf = (error: unknown): string => {
  if (error instanceof ApiProblem) return error.detail ?? error.title
  if (error instanceof TypeError) return 'The server cannot be reached. Check your connection and try again.'
  return error instanceof Error ? error.message : String(error)
}
