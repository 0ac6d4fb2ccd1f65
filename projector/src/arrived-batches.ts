/**
 * Turns a stream of messages into batches of what has arrived: each batch is everything received while the
 * previous one was being processed (at most `max`), in order. Under load the batches grow by themselves, so the
 * fixed cost of a round of writes is shared by many messages; when idle, a message is a batch of its own, at
 * once. (The server's pending count cannot tell this: it is 0 for most messages of a steady flow.)
 */
export async function* arrivedBatches<Item>(
  source: AsyncIterable<Item>,
  max: number,
): AsyncGenerator<Item[]> {
  const arrived: Item[] = []
  let ended = false
  let failure: { error: unknown } | undefined
  let wake: (() => void) | undefined
  void (async () => {
    try {
      for await (const item of source) {
        arrived.push(item)
        wake?.()
      }
    } catch (error) {
      failure = { error }
    } finally {
      ended = true
      wake?.()
    }
  })()
  while (true) {
    if (arrived.length > 0) {
      yield arrived.splice(0, max)
      continue
    }
    if (failure !== undefined) throw failure.error
    if (ended) return
    await new Promise<void>((resolve) => {
      wake = resolve
    })
    wake = undefined
  }
}
