import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { type RunningGateway, startGateway } from '@jetnotes/web'
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Debian's `chromium` package (`.ci/run` installs it); CHROMIUM_PATH names another build.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// `UPDATE_SCREENSHOT=1 npx vitest run web/test/web-app.int.test.ts` refreshes the README's screenshot.
const screenshotPath = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url))
const axeSource: string = createRequire(import.meta.url)('axe-core').source

let system: RunningSystem
let gateway: RunningGateway
let browser: Browser
// The app as `npm start` builds it, into a directory of this test's own (web/dist is npm start's).
const appDir = mkdtempSync(join(tmpdir(), 'jetnotes-web-'))

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`)
  }
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    build: { outDir: appDir, emptyOutDir: true },
    logLevel: 'warn',
  })
  system = await startSystem()
  gateway = await startGateway({ commandUrl: system.commands.base, queryUrl: system.queries.base, appDir })
  browser = await chromium.launch({
    executablePath: chromiumPath,
    // Containers and CI run as root without a usable sandbox or GPU; the pages are our own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await gateway?.close()
  await system?.[Symbol.asyncDispose]()
  rmSync(appDir, { recursive: true, force: true })
})

/** Runs axe-core in the page: the screen must have no serious or critical accessibility violation. */
const expectAccessible = async (page: Page, screen: string) => {
  expect(await seriousViolations(page), `accessibility of ${screen}`).toEqual([])
}

/** axe-core's serious and critical violations on the page as it is now (run through the debugging protocol, which
 * the app's Content-Security-Policy does not govern). */
const seriousViolations = async (page: Page): Promise<string[]> => {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (options: object) => Promise<AxeResults> } }).axe
    const results = await axe.run({ resultTypes: ['violations'] })
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      )
  })
}
type AxeResults = { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }

type Person = { name: string; email: string; password: string; context: BrowserContext; page: Page }

const person = async (name: string): Promise<Person> => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
  const page = await context.newPage()
  page.setDefaultTimeout(waitMs)
  return {
    name,
    email: `${name.toLowerCase()}-${Date.now()}@example.com`,
    password: `${name} has a long password`,
    context,
    page,
  }
}

const signUp = async ({ page, name, email, password }: Person) => {
  await page.goto(`${gateway.url}/sign-up`)
  await visible(page.getByRole('heading', { name: 'Create your account' }))
  await expectAccessible(page, 'sign-up')
  await page.getByRole('textbox', { name: 'Name' }).fill(name)
  await page.getByRole('textbox', { name: 'E-mail' }).fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await visible(page.getByRole('button', { name: 'Sign out' }))
}

const notesList = (page: Page) => page.getByRole('list', { name: 'Notes' })
const field = (page: Page, name: 'Title' | 'Body' | 'Tags') =>
  page.getByRole('textbox', { name, exact: true })

// playwright-core has no assertions of its own: wait for the page, then assert with vitest.
const waitMs = 15_000
const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: waitMs })
const gone = (locator: Locator) => locator.first().waitFor({ state: 'detached', timeout: waitMs })
const hasValue = (locator: Locator, value: string) =>
  expect.poll(() => locator.inputValue(), { timeout: waitMs }).toBe(value)
const containsText = (locator: Locator, text: string) =>
  expect.poll(async () => (await locator.textContent()) ?? '', { timeout: waitMs }).toContain(text)

describe('the built app', () => {
  it('keeps its JavaScript under 150 KB gzipped', () => {
    const assets = join(appDir, 'assets')
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'))
    expect(scripts.length).toBeGreaterThan(0)
    const gzipped = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name))).length, 0)
    expect(gzipped).toBeLessThan(150 * 1024)
  })
})

describe('the accessibility check', () => {
  it('fails on a screen with a serious violation', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${gateway.url}/sign-in`)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    // An input nobody could name: what the check is there to catch.
    await page.evaluate(() => {
      // Runs in the page (the test's own tsconfig has no DOM types).
      type Node = { append: (child: unknown) => void }
      const dom = (
        globalThis as unknown as {
          document: {
            querySelector: (selector: string) => Node | null
            createElement: (tag: string) => unknown
          }
        }
      ).document
      dom.querySelector('main')?.append(dom.createElement('input'))
    })
    expect((await seriousViolations(page)).join('\n')).toMatch(/^label \(critical\)/m)
    await context.close()
  })
})

describe('the web app, two people sharing a note live', () => {
  it('signs up, shares by e-mail, shows edits live, resolves a conflict, shows and restores history', async () => {
    const ann = await person('Ann')
    const bob = await person('Bob')
    await signUp(ann)
    await signUp(bob)
    await expectAccessible(bob.page, 'the empty list')

    // Ann writes a note.
    await ann.page.getByRole('link', { name: 'New note' }).click()
    await field(ann.page, 'Title').fill('Groceries')
    await field(ann.page, 'Body').fill('milk')
    await field(ann.page, 'Tags').fill('home, weekly')
    await ann.page.getByRole('button', { name: 'Save' }).click()
    await visible(ann.page.getByText('Saved'))
    await expect.poll(() => ann.page.url(), { timeout: waitMs }).toMatch(/\/notes\/[A-Za-z0-9_-]+$/)
    await visible(notesList(ann.page).getByRole('link', { name: 'Groceries' }))
    await expectAccessible(ann.page, 'a note open in the editor')

    // Ann shares it with Bob by e-mail; Bob's list shows it without a reload.
    await ann.page.getByRole('textbox', { name: 'Share with (e-mail)' }).fill(bob.email)
    await ann.page.getByRole('combobox', { name: 'Access' }).selectOption({ label: 'Can edit' })
    await ann.page.getByRole('button', { name: 'Share' }).click()
    await containsText(ann.page.getByRole('list', { name: 'Shared with' }), 'Bob')
    await visible(ann.page.getByRole('button', { name: 'Remove access for Bob' }))
    const shared = notesList(bob.page).getByRole('listitem').filter({ hasText: 'Groceries' })
    await visible(shared)
    await containsText(shared, 'Ann')
    await containsText(shared, 'Can edit')
    await expectAccessible(bob.page, 'the list with a shared note')

    // Bob edits; Ann's open note (no edits of hers) shows it live.
    await shared.getByRole('link', { name: 'Groceries' }).click()
    await field(bob.page, 'Body').fill('milk, eggs')
    await bob.page.getByRole('button', { name: 'Save' }).click()
    await visible(bob.page.getByText('Saved'))
    await hasValue(field(ann.page, 'Body'), 'milk, eggs')

    // Ann types while Bob edits again: she is told, keeps what she typed, and her save from the stale version
    // is a conflict she resolves by hand.
    await field(ann.page, 'Body').fill('milk, eggs, bread')
    await field(bob.page, 'Title').fill('Groceries for Saturday')
    await bob.page.getByRole('button', { name: 'Save' }).click()
    await visible(bob.page.getByText('Saved'))
    await visible(ann.page.getByRole('status').filter({ hasText: /changed by Bob/i }))
    await hasValue(field(ann.page, 'Body'), 'milk, eggs, bread')
    await ann.page.getByRole('button', { name: 'Save' }).click()
    const conflict = ann.page.getByRole('region', { name: 'Conflict' })
    await visible(conflict)
    await containsText(conflict, 'Your version')
    await containsText(conflict, 'Their version')
    await containsText(conflict, 'Groceries for Saturday')
    await expectAccessible(ann.page, 'a conflict')
    await conflict.getByRole('button', { name: 'Merge by hand' }).click()
    await field(ann.page, 'Title').fill('Groceries for Saturday')
    await hasValue(field(ann.page, 'Body'), 'milk, eggs, bread')
    await ann.page.getByRole('button', { name: 'Save merged' }).click()
    await gone(ann.page.getByRole('region', { name: 'Conflict' }))
    await hasValue(field(bob.page, 'Body'), 'milk, eggs, bread')
    await hasValue(field(bob.page, 'Title'), 'Groceries for Saturday')

    if (process.env.UPDATE_SCREENSHOT === '1') {
      await ann.page.evaluate(() =>
        (globalThis as unknown as { scrollTo: (x: number, y: number) => void }).scrollTo(0, 0),
      )
      await ann.page.screenshot({ path: screenshotPath })
    }

    // The history shows every change with its author; Ann restores version 1.
    await ann.page.getByRole('button', { name: 'History' }).click()
    const history = ann.page.getByRole('region', { name: 'History' })
    // Entries are the history list's direct items (each field change is a nested item).
    const entry = (version: number) =>
      history.locator('ol > li').filter({ has: ann.page.getByText(`Version ${version}`, { exact: true }) })
    await visible(entry(5))
    await containsText(entry(3), 'Bob')
    await containsText(entry(3), 'eggs')
    await containsText(entry(4), 'Bob')
    await containsText(entry(4), 'Groceries for Saturday')
    await containsText(entry(5), 'Ann')
    await containsText(entry(5), 'bread')
    await expectAccessible(ann.page, 'the history')
    await history.getByRole('button', { name: 'Open version 1' }).click()
    await containsText(ann.page.getByRole('region', { name: 'Version 1' }), 'milk')
    await history.getByRole('button', { name: 'Restore version 1' }).click()
    await hasValue(field(ann.page, 'Body'), 'milk')
    await hasValue(field(ann.page, 'Title'), 'Groceries')
    await containsText(entry(6), 'Ann')
    await hasValue(field(bob.page, 'Body'), 'milk')

    // Ann signs out, and signs in again in a new browser with her password.
    await ann.page.getByRole('button', { name: 'Sign out' }).click()
    await visible(ann.page.getByRole('heading', { name: 'Sign in' }))
    await expectAccessible(ann.page, 'sign-in')
    const again = await browser.newContext()
    const page = await again.newPage()
    page.setDefaultTimeout(waitMs)
    await page.goto(`${gateway.url}/`)
    await visible(page.getByRole('heading', { name: 'Sign in' }))
    await page.getByRole('textbox', { name: 'E-mail' }).fill(ann.email)
    await page.getByLabel('Password').fill('not her password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await visible(page.getByRole('alert'))
    await page.getByLabel('Password').fill(ann.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await visible(notesList(page).getByRole('link', { name: 'Groceries' }))
    // Bob's session was never touched by Ann's sign-out.
    await bob.page.reload()
    await visible(notesList(bob.page).getByRole('link', { name: 'Groceries' }))

    for (const context of [ann.context, bob.context, again]) await context.close()
  }, 180_000)
})

describe('the live list after a drop', () => {
  it('reads the list again when the stream comes back with nothing to resume from', async () => {
    const dan = await person('Dan')
    await signUp(dan)
    await visible(dan.page.getByText('No notes yet', { exact: false }).or(notesList(dan.page)))
    // The gateway goes away while Dan's page has received no event (so no Last-Event-ID); meanwhile a note is
    // shared with him. When the gateway is back, the browser's EventSource reconnects by itself.
    const port = Number(new URL(gateway.url).port)
    await gateway.close()
    const eve = await registerUser(system.commands, 'Eve')
    const id = await createNote(system.commands, eve.token, { title: 'Shared while away' })
    const shared = await system.commands.post(
      `/notes/${id}/shares`,
      { email: dan.email, permission: 'read' },
      { token: eve.token },
    )
    expect(shared.status).toBe(200)
    gateway = await startGateway({
      commandUrl: system.commands.base,
      queryUrl: system.queries.base,
      appDir,
      port,
    })
    await visible(notesList(dan.page).getByRole('link', { name: 'Shared while away' }))
    await dan.context.close()
  }, 60_000)
})
