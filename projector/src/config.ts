import { CommonEnv, loadConfig } from '@jetnotes/platform'
import { z } from 'zod'
import { defaultNoteDirectorySize, defaultNotePageSize } from './projections/notes/projection.ts'
import { defaultLeaseMs } from './start-projector.ts'

/** The projector's own settings (the rebuild command uses them too). */
export const ProjectorEnv = {
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(4096).default(256),
  NOTE_LIST_PAGE_SIZE: z.coerce.number().int().min(2).max(1000).default(defaultNotePageSize),
  NOTE_LIST_DIRECTORY_SIZE: z.coerce.number().int().min(2).max(10_000).default(defaultNoteDirectorySize),
  /** A projection's lease: a standby projector takes over this long after the holder's last renewal. */
  PROJECTOR_LEASE_MS: z.coerce.number().int().min(300).max(60_000).default(defaultLeaseMs),
  /** The projector's HTTP port (`/metrics`, `/healthz`, `/readyz`) on HOST; 0: none. */
  PROJECTOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
}

/** The projector's configuration, from the environment (see README and .env). */
export const loadProjectorConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig({ ...CommonEnv, ...ProjectorEnv }, env)
