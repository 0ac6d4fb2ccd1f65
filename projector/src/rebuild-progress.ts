/** Where a rebuild is: replaying the log, writing the fresh buckets, switching generations, cleaning up. */
export type RebuildProgress =
  | { phase: 'replay'; seq: number; lastSeq: number }
  | { phase: 'write'; written: number; total: number }
  | { phase: 'switch'; from: number; to: number }
  | { phase: 'cleanup'; generation: number }
