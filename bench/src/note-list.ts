import type { HttpClient } from './http.ts'

/** A page of `GET /notes`, as much of it as the bench looks at. */
export type NotePage = { items: { id: string; version: number }[]; nextCursor: string | null }

/** The path of one page of the caller's note list: the first, or the one after `cursor`. */
export const listPath = (limit: number, cursor?: string) =>
  cursor === undefined
    ? `/notes?limit=${limit}`
    : `/notes?limit=${limit}&cursor=${encodeURIComponent(cursor)}`

export const readPage = async (queries: HttpClient, token: string, path: string) =>
  (await queries.expect(200, 'GET', path, { token })).body as NotePage

/**
 * Follows the list's cursors from the first page to the last (100 notes a page, at most `maxPages` pages and
 * `timeoutMs`); returns the last page and the cursor that reads it (undefined when it is the first).
 */
export const walkToLastPage = async (
  queries: HttpClient,
  token: string,
  { maxPages, timeoutMs }: { maxPages: number; timeoutMs: number },
) => {
  const started = performance.now()
  let cursor: string | undefined
  let page = await readPage(queries, token, listPath(100))
  for (let pages = 1; page.nextCursor !== null; pages++) {
    if (pages >= maxPages || performance.now() - started > timeoutMs) {
      throw new Error(`the list had more than ${pages} pages, or took over ${timeoutMs / 1000} s to walk`)
    }
    cursor = page.nextCursor
    page = await readPage(queries, token, listPath(100, cursor))
  }
  return { page, cursor }
}

/**
 * Reads the list page at `path` again and again, one request at a time, until it shows note `noteId` at
 * `version` or later; returns when the answer that showed it arrived (performance.now()). Throws after
 * `timeoutMs`, so a stalled projector fails the path instead of hanging the bench.
 */
export const untilListed = async (
  queries: HttpClient,
  token: string,
  path: string,
  noteId: string,
  version: number,
  timeoutMs = 10_000,
) => {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const page = await readPage(queries, token, path)
    const shown = page.items.find((item) => item.id === noteId)
    if (shown !== undefined && shown.version >= version) return performance.now()
    if (performance.now() > deadline) {
      throw new Error(`note ${noteId} v${version} did not show in GET ${path} within ${timeoutMs / 1000} s`)
    }
  }
}
