import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

/**
 * `node --import tsx bench/src/profile-summary.ts FILE.cpuprofile [--top 30]`: where a V8 CPU profile (as
 * `npm run bench -- --profile` writes them) spent its time, as text: self time summed by package (the
 * `node_modules` folder, the workspace, or Node's own code), then by function. For reading the profiles of a run
 * without a browser.
 */
type CallFrame = { functionName: string; url: string; lineNumber: number }
type ProfileNode = { id: number; callFrame: CallFrame }
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The package a script belongs to: `fastify`, `@nats-io/nats-core`, `jetnotes/platform`, `node:internal`. */
export const packageOf = (url: string): string => {
  if (url === '') return '(native)'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules !== -1) {
    const [scope = '', name = ''] = url.slice(modules + '/node_modules/'.length).split('/')
    return scope.startsWith('@') ? `${scope}/${name}` : scope
  }
  if (url.startsWith('node:')) return 'node'
  const workspace =
    /\/(schemas|platform|testing|command-service|projector|query-service|bench|web)\/src\//.exec(url)
  return workspace === null ? url : `jetnotes/${workspace[1]}`
}

/** Self time in milliseconds by package and by function (`name package:line`), largest first. */
export const summarize = (profile: CpuProfile) => {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const byPackage = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id)
    const ms = (profile.timeDeltas[index] ?? 0) / 1000
    if (frame === undefined) return
    total += ms
    const pkg = packageOf(frame.url)
    const name = `${frame.functionName || '(anonymous)'} ${pkg}:${frame.lineNumber + 1}`
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms)
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms)
  })
  const sorted = (map: Map<string, number>) => [...map.entries()].sort(([, a], [, b]) => b - a)
  return { total, byPackage: sorted(byPackage), byFunction: sorted(byFunction) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' } },
  })
  const top = Number(values.top)
  for (const file of positionals) {
    const { total, byPackage, byFunction } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
    const line = ([name, ms]: [string, number]) =>
      `${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`
    console.log(`${file}: ${total.toFixed(0)} ms sampled`)
    console.log('  by package (self time)')
    for (const entry of byPackage.slice(0, top)) console.log(`  ${line(entry)}`)
    console.log('  by function (self time)')
    for (const entry of byFunction.slice(0, top)) console.log(`  ${line(entry)}`)
  }
}
