import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { say, supervise } from './processes.ts'

/** What the built app is made from: its sources and the build's configuration. */
const sources = ['web/app', 'web/vite.config.ts', 'web/package.json']
/** Where the gateway serves the app from. */
const distDir = 'web/dist'
/** What the gateway serves first: its age is the build's age. */
const builtIndex = `${distDir}/index.html`

/** A file and when it last changed (ms since the epoch). */
export type Dated = { path: string; modifiedMs: number }

/**
 * Why the app must be built before `npm start` serves it, or undefined when web/dist is current: it is
 * missing, or one of its sources changed after it was built.
 */
export const whyBuildApp = (
  built: Dated | undefined,
  newestSource: Dated | undefined,
): string | undefined => {
  if (built === undefined) return 'web/dist is missing'
  if (newestSource !== undefined && newestSource.modifiedMs > built.modifiedMs) {
    return `${newestSource.path} changed after the last build`
  }
  return undefined
}

const dated = (path: string): Dated | undefined =>
  existsSync(path) ? { path, modifiedMs: statSync(path).mtimeMs } : undefined

/** The most recently changed file under the given paths (files or directories), if any. */
const newestOf = (paths: readonly string[]): Dated | undefined => {
  let newest: Dated | undefined
  const visit = (path: string) => {
    if (!existsSync(path)) return
    const stat = statSync(path)
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry))
    } else if (newest === undefined || stat.mtimeMs > newest.modifiedMs) {
      newest = { path, modifiedMs: stat.mtimeMs }
    }
  }
  for (const path of paths) visit(path)
  return newest
}

/**
 * Builds the web app (`npm run build -w web`) when web/dist is missing or older than its sources, saying why
 * in one line. Resolves once web/dist is current; rejects with the reason and the build's last lines when the
 * build fails, which stops start-up (a gateway without its app would serve nothing).
 */
export const buildAppIfNeeded = async (index: number) => {
  const reason = whyBuildApp(dated(builtIndex), newestOf(sources))
  if (reason === undefined) return
  say(`building the web app (${reason})`)
  const startedAt = Date.now()
  // Built beside web/dist and then put in its place: a gateway serving the old app, or another build running at
  // the same time (a test's), never sees half a build.
  const building = `${distDir}.building-${process.pid}`
  // Its output is shown only when it fails: a successful build's file list is noise among the services' logs.
  const build = supervise(
    'build',
    'npm',
    ['run', '--silent', 'build', '-w', 'web', '--', '--outDir', resolve(building), '--emptyOutDir'],
    { index, quiet: true },
  )
  const code = await build.exited
  if (code !== 0) {
    rmSync(building, { recursive: true, force: true })
    throw new Error(`the web app did not build (exit code ${code}):\n${build.recent.join('\n')}`)
  }
  replaceDir(building, distDir)
  say(`built the web app in ${Math.round((Date.now() - startedAt) / 100) / 10} s`)
}

/** Puts `built` where `target` is, the old one out of the way first (two renames: no moment with half an app). */
const replaceDir = (built: string, target: string) => {
  const old = `${target}.old-${process.pid}`
  if (existsSync(target)) renameSync(target, old)
  try {
    renameSync(built, target)
  } catch (error) {
    // Another build put its own in place meanwhile: that one is as current as this.
    if (!existsSync(target)) throw error
    rmSync(built, { recursive: true, force: true })
  }
  rmSync(old, { recursive: true, force: true })
}
