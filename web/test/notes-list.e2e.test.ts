import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningSystem, startSystem } from '@jetnotes/testing'
import { type RunningGateway, startGateway } from '@jetnotes/web'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The note list in a real browser: the built app behind the gateway in front of the whole system.
let system: RunningSystem
let gateway: RunningGateway
let browser: Browser
let appDir: string

beforeAll(async () => {
  system = await startSystem()
  // A build of its own, so this file never races another test over web/dist.
  appDir = mkdtempSync(join(tmpdir(), 'jetnotes-list-app-'))
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    build: { outDir: appDir, emptyOutDir: true },
    logLevel: 'silent',
  })
  gateway = await startGateway({ commandUrl: system.commands.base, queryUrl: system.queries.base, appDir })
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await gateway?.close()
  await system?.[Symbol.asyncDispose]()
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true })
})

/** A new person, signed up through the page, on the list. */
const signUp = async (context: BrowserContext, name: string): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(`${gateway.url}/`)
  await page.getByRole('link', { name: 'Create an account' }).click()
  await page.getByRole('textbox', { name: 'Name' }).fill(name)
  await page.getByRole('textbox', { name: 'E-mail' }).fill(`${name.toLowerCase()}-${Date.now()}@example.com`)
  await page.getByLabel('Password').fill('a long enough password')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  return page
}

/** Writes a note as the page's person, through the gateway with their cookie (as the note editor would). */
const createNote = async (page: Page, title: string) => {
  const reply = await page.context().request.post(`${gateway.url}/api/notes`, {
    data: { title, body: '' },
    headers: { origin: gateway.url },
  })
  expect(reply.status()).toBe(201)
}

const titles = (page: Page) => page.getByRole('list', { name: 'Notes' }).getByRole('link').allInnerTexts()

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const seriousViolations = async (page: Page) => {
  await page.evaluate(readFileSync(axePath, 'utf8'))
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null }[] }
    const axe = (globalThis as unknown as { axe: { run: () => Promise<Result> } }).axe
    const { violations } = await axe.run()
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)
  })
}

describe('the note list', () => {
  it('shows notes as they are written, 50 a page, and pages back and forth without losing one', async () => {
    const context = await browser.newContext({ bypassCSP: true })
    const page = await signUp(context, 'Lena')
    await expect.poll(() => page.getByText('No notes yet').count()).toBe(1)
    for (let n = 0; n < 53; n++) await createNote(page, `Note ${n}`)
    // Each arrived live; the page keeps the newest 50 and the rest wait on the next one.
    await expect.poll(() => titles(page), { timeout: 15_000 }).toHaveLength(50)
    expect((await titles(page))[0]).toBe('Note 52')
    expect(
      await page.getByRole('list', { name: 'Notes' }).getByRole('listitem').first().textContent(),
    ).toMatch(/Lena · Owner/)
    await page.getByRole('button', { name: 'Next page' }).click()
    await expect.poll(() => titles(page)).toEqual(['Note 2', 'Note 1', 'Note 0'])
    await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true)
    await page.getByRole('button', { name: 'Previous page' }).click()
    await expect.poll(async () => (await titles(page))[0]).toBe('Note 52')
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('searchbox', { name: 'Search titles' }).fill('note 4')
    const matching = [49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 4].map((n) => `Note ${n}`)
    await expect.poll(() => titles(page)).toEqual(matching)
    await createNote(page, 'Note 4 again')
    await createNote(page, 'Not this one')
    await expect.poll(async () => (await titles(page))[0]).toBe('Note 4 again')
    expect(await titles(page)).not.toContain('Not this one')
    await context.close()
  }, 60_000)

  it('shows one pane at a time on a phone, and focus follows by keyboard', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } })
    const page = await signUp(context, 'Omar')
    await createNote(page, 'On the phone')
    const link = page.getByRole('link', { name: 'On the phone' })
    await link.focus()
    await page.keyboard.press('Enter')
    await page.getByRole('link', { name: 'Back to notes' }).waitFor()
    expect(await page.getByRole('list', { name: 'Notes' }).isVisible()).toBe(false)
    await page.keyboard.press('Tab')
    expect((await page.locator(':focus').textContent())?.trim()).toBe('Back to notes')
    await page.keyboard.press('Enter')
    await page.getByRole('list', { name: 'Notes' }).waitFor()
    expect((await page.locator(':focus').textContent())?.trim()).toBe('On the phone')
    expect(await seriousViolations(page)).toEqual([])
    await context.close()
  }, 60_000)
})
