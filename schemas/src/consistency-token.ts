import { z } from 'zod'
import type { StreamName } from './streams.ts'
import { streamNames } from './streams.ts'

/** A point in the log: a stream and a sequence in it. A read that waits for it sees that write. */
export type LogPosition = { stream: StreamName; seq: number }

/**
 * The `Consistency-Token` a command returns: opaque to clients, it names the log position of their write so the
 * query side can wait until its views include it.
 */
export const encodeConsistencyToken = ({ stream, seq }: LogPosition): string =>
  btoa(`${stream}:${seq}`).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')

const Decoded = z
  .string()
  .regex(/^([A-Z]+):(\d{1,16})$/)
  .transform((text) => {
    const [stream = '', seq = ''] = text.split(':')
    return { stream, seq: Number(seq) }
  })
  .pipe(
    z.object({
      stream: z.enum(streamNames as [StreamName, ...StreamName[]]),
      seq: z.number().int().positive(),
    }),
  )

/** The position a token names, or `undefined` when the token is malformed. */
export const decodeConsistencyToken = (token: string): LogPosition | undefined => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) return undefined
  try {
    const result = Decoded.safeParse(atob(token.replaceAll('-', '+').replaceAll('_', '/')))
    return result.success ? result.data : undefined
  } catch {
    return undefined
  }
}
