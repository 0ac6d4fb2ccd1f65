import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { createNote, type RunningSystem, registerUser, startSystem } from '@jetnotes/testing'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Debian's `chromium` package (`.ci/run` installs it); CHROMIUM_PATH names another build.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The page a browser app would be: it subscribes with EventSource (no headers, so the token is in the URL). */
const page = `<!doctype html>
<meta charset="utf-8">
<title>jetnotes live</title>
<script>
  window.received = []
  window.opened = false
  const params = new URLSearchParams(location.search)
  const source = new EventSource(params.get('api') + '/events?access_token=' + encodeURIComponent(params.get('token')))
  source.onopen = () => { window.opened = true }
  for (const type of ['NoteCreated', 'NoteEdited']) {
    source.addEventListener(type, (message) => {
      window.received.push({ type: message.type, id: message.lastEventId, data: JSON.parse(message.data) })
    })
  }
</script>`

let system: RunningSystem
let browser: Browser
// The page comes from another origin than the API, as a web app would: the stream must allow it (CORS).
const pageServer = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
})

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`)
  }
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve))
  const address = pageServer.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  // The page is opened at http://localhost:<port>: that origin, and only that one, may call the API.
  system = await startSystem({ corsOrigins: `http://localhost:${address.port}` })
  browser = await chromium.launch({
    executablePath: chromiumPath,
    // Containers and CI run as root without a usable sandbox or GPU; nothing here loads untrusted pages.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
})
afterAll(async () => {
  await browser?.close()
  pageServer.close()
  await system?.[Symbol.asyncDispose]()
})

describe('a browser', () => {
  it('receives a change over EventSource, from another origin, with the token in the URL', async () => {
    const ann = await registerUser(system.commands, 'Ann')
    const address = pageServer.address()
    if (address === null || typeof address === 'string') throw new Error('no page server port')
    const tab = await browser.newPage()
    const query = new URLSearchParams({ api: system.queries.base, token: ann.token })
    await tab.goto(`http://localhost:${address.port}/?${query}`)
    await tab.waitForFunction(() => (globalThis as unknown as { opened: boolean }).opened, undefined, {
      timeout: 10_000,
    })

    const id = await createNote(system.commands, ann.token, { title: 'From the API', body: 'hello' })
    await system.commands.patch(`/notes/${id}`, { body: 'hello, browser' }, { token: ann.token })
    await tab.waitForFunction(
      () => (globalThis as unknown as { received: unknown[] }).received.length >= 2,
      undefined,
      { timeout: 10_000 },
    )
    const received = await tab.evaluate(
      () => (globalThis as unknown as { received: { type: string; id: string; data: unknown }[] }).received,
    )
    expect(received.map((message) => message.type)).toEqual(['NoteCreated', 'NoteEdited'])
    expect(received[1]?.data).toMatchObject({
      noteId: id,
      version: 2,
      type: 'NoteEdited',
      actor: { id: ann.id },
      note: { id, title: 'From the API', body: 'hello, browser' },
    })
    expect(Number(received[1]?.id)).toBeGreaterThan(Number(received[0]?.id))
    await tab.close()
  })
})
