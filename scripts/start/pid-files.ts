import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * Where `npm start` writes the pid of each process it runs while it runs ($DATA_DIR/run/<name>.pid), for an
 * operator's `kill -STOP $(cat .data/run/nats.pid)` and for the fault tests.
 */
export const pidFileOf = (dataDir: string, name: string) => join(dataDir, 'run', `${name}.pid`)

export const writePidFile = (path: string, pid: number) => {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${pid}\n`)
}

/** Removes the file if it still names `pid` (a newer process of the same name may have written it since). */
export const removePidFile = (path: string, pid: number) => {
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === pid) rmSync(path)
  } catch {
    // Already gone.
  }
}
