import { describe, expect, it } from 'vitest'
import { arrivedBatches } from '../src/arrived-batches.ts'

/** A source the test feeds by hand. */
const feed = <Item>() => {
  const items: Item[] = []
  let wake: (() => void) | undefined
  let done = false
  let failure: Error | undefined
  const source: AsyncIterable<Item> = {
    async *[Symbol.asyncIterator]() {
      while (true) {
        while (items.length > 0) yield items.shift() as Item
        if (failure) throw failure
        if (done) return
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    },
  }
  return {
    source,
    push: (...more: Item[]) => {
      items.push(...more)
      wake?.()
    },
    end: () => {
      done = true
      wake?.()
    },
    fail: (error: Error) => {
      failure = error
      wake?.()
    },
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('batches of what has arrived', () => {
  it('are each everything received while the one before was processed, in order, at most max', async () => {
    const { source, push, end } = feed<number>()
    const batches: number[][] = []
    const consuming = (async () => {
      for await (const batch of arrivedBatches(source, 3)) {
        batches.push(batch)
        // While this batch is processed, more arrives.
        if (batches.length === 1) push(2, 3, 4, 5, 6, 7, 8)
        await tick()
      }
    })()
    push(1)
    await tick()
    end()
    await consuming
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7], [8]])
  })

  it('hands on a lone message at once, without waiting for more', async () => {
    const { source, push } = feed<string>()
    const iterator = arrivedBatches(source, 100)[Symbol.asyncIterator]()
    push('only')
    expect(await iterator.next()).toEqual({ done: false, value: ['only'] })
    await iterator.return(undefined)
  })

  it('passes on a failure of the source after what arrived before it', async () => {
    const { source, push, fail } = feed<number>()
    const seen: number[][] = []
    push(1, 2)
    await tick()
    fail(new Error('connection lost'))
    await expect(
      (async () => {
        for await (const batch of arrivedBatches(source, 10)) seen.push(batch)
      })(),
    ).rejects.toThrow('connection lost')
    expect(seen.flat()).toEqual([1, 2])
  })
})
