import { createParser, type EventSourceMessage } from 'eventsource-parser'

/** A received SSE message with its data parsed as JSON. */
export type LiveMessage = { id: string | undefined; event: string | undefined; data: Record<string, unknown> }

/**
 * A Server-Sent Events client for tests, over fetch: collects messages, comments and the retry hint, and lets
 * a test wait for a number of messages. Close it (or `await using`) to disconnect.
 */
export const openEventStream = async (url: string, headers: Record<string, string> = {}) => {
  const abort = new AbortController()
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  })
  const messages: LiveMessage[] = []
  const comments: string[] = []
  let retry: number | undefined
  let ended = false
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const waiter of waiters) waiter()
  }
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      messages.push({ id: message.id, event: message.event, data: JSON.parse(message.data) })
      wake()
    },
    onComment: (comment) => {
      comments.push(comment)
      wake()
    },
    onRetry: (value) => {
      retry = value
    },
  })
  if (response.ok && response.body !== null) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          parser.feed(value)
        }
      } catch {
        // Aborted by close().
      } finally {
        ended = true
        wake()
      }
    })()
  }

  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  const until = (predicate: () => boolean, timeoutMs = 10_000, what = 'the expected messages') =>
    new Promise<void>((resolve, reject) => {
      if (predicate()) return resolve()
      const check = () => {
        if (!predicate()) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`timed out waiting for ${what}; got ${messages.length} messages`))
      }, timeoutMs)
      waiters.add(check)
    })

  return {
    status: response.status,
    headers: response.headers,
    messages,
    comments,
    get retry() {
      return retry
    },
    get ended() {
      return ended
    },
    /** Waits until at least `count` messages have arrived. */
    received: (count: number, timeoutMs?: number) =>
      until(() => messages.length >= count, timeoutMs, `${count} messages`),
    until,
    close: () => abort.abort(),
    [Symbol.dispose]: () => abort.abort(),
  }
}

export type EventStream = Awaited<ReturnType<typeof openEventStream>>
