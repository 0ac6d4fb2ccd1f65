import { WebSocket } from 'undici'

/** What `process.memoryUsage()` says in the measured process, in bytes. */
export type ProcessMemory = { rss: number; heapUsed: number; heapTotal: number; external: number }

/**
 * The memory of another Node process, read through its inspector (it runs with `--inspect=127.0.0.1:0`): a
 * full garbage collection first (the DevTools protocol's `HeapProfiler.collectGarbage`), then its own
 * `process.memoryUsage()`. The measured process's code is unchanged, and the figures are its live objects,
 * not whatever garbage it happened to hold at that moment.
 */
export const openRemoteMemory = async (inspectorUrl: string) => {
  const socket = new WebSocket(inspectorUrl)
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true })
    socket.addEventListener(
      'error',
      () => reject(new Error(`cannot reach the inspector at ${inspectorUrl}`)),
      {
        once: true,
      },
    )
  })
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as {
      id?: number
      result?: unknown
      error?: { message: string }
    }
    if (reply.id === undefined) return
    const caller = waiting.get(reply.id)
    waiting.delete(reply.id)
    if (reply.error !== undefined) caller?.reject(new Error(reply.error.message))
    else caller?.resolve(reply.result)
  })
  let lastId = 0
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++lastId
      waiting.set(id, { resolve, reject })
      socket.send(JSON.stringify({ id, method, params }))
    })

  return {
    /** The process's memory right after a full garbage collection (two, so finalisers' garbage goes too). */
    afterGc: async (): Promise<ProcessMemory> => {
      await call('HeapProfiler.collectGarbage')
      await call('HeapProfiler.collectGarbage')
      const evaluated = (await call('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      })) as { result: { value: string } }
      return JSON.parse(evaluated.result.value) as ProcessMemory
    },
    close: () => socket.close(),
  }
}
