/**
 * Runs work for one key at a time, in arrival order; different keys run concurrently. Commands on one aggregate
 * are serialised inside the process: the cached state they decide on is then exact, and concurrent requests
 * fail fast on the version check instead of racing to the server.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const current = previous.then(work, work)
    const tail = current.catch(() => undefined)
    this.#tails.set(key, tail)
    try {
      return await current
    } finally {
      // The last one out removes the key, so the map holds only keys with work in flight.
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
