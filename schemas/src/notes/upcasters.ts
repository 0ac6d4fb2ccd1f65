import { z } from 'zod'
import { type Upcaster, upcaster } from '../upcasting.ts'

/** NoteCreated v1, written before notes had tags. */
const NoteCreatedV1Data = z.object({ title: z.string(), body: z.string() })

/** Every change to a note event's shape since the first release, oldest first. */
export const noteUpcasters: readonly Upcaster[] = [
  upcaster('NoteCreated', 1, NoteCreatedV1Data, (data) => ({ ...data, tags: [] })),
]
