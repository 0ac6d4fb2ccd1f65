import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The nats-server binary on PATH or in the sbin directories a non-root PATH may lack; undefined if absent. */
export const findNatsServer = (path = process.env.PATH ?? ''): string | undefined => {
  const directories = [...path.split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin']
  return directories
    .filter((directory) => directory !== '')
    .map((directory) => join(directory, 'nats-server'))
    .find((candidate) => existsSync(candidate))
}
