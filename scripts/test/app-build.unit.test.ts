import { describe, expect, it } from 'vitest'
import { whyBuildApp } from '../start/app-build.ts'

const built = { path: 'web/dist/index.html', modifiedMs: 2_000 }

describe('whether npm start builds the web app first', () => {
  it('builds when web/dist is missing', () => {
    expect(whyBuildApp(undefined, { path: 'web/app/main.ts', modifiedMs: 1_000 })).toBe('web/dist is missing')
  })

  it('builds when a source changed after the last build, and names it', () => {
    expect(whyBuildApp(built, { path: 'web/app/App.vue', modifiedMs: 3_000 })).toBe(
      'web/app/App.vue changed after the last build',
    )
  })

  it('does not build when web/dist is newer than every source', () => {
    expect(whyBuildApp(built, { path: 'web/vite.config.ts', modifiedMs: 1_000 })).toBeUndefined()
    expect(whyBuildApp(built, undefined)).toBeUndefined()
  })
})
