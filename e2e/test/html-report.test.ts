import { existsSync } from 'node:fs'
import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runVitest } from '../src/harness.js'

// The HTML report as a person sees it: Debian's Chromium, headless (`.ci/run` installs it).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const dir = inject('examples')['leaky-service']

describe('report.html in a real browser', () => {
  let browser: Browser
  let page: Page
  let reportDir: string

  beforeAll(async () => {
    if (!existsSync(executablePath))
      throw new Error(`no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`)
    reportDir = await mkdtemp(join(tmpdir(), 'qtests-html-'))
    const run = await runVitest(dir, { QTESTS_LEAKS: 'hunt', QTESTS_REPORT_DIR: reportDir }, ['test/orders.test.ts', 'test/cache.test.ts'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(pathToFileURL(join(reportDir, 'report.html')).href)
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('leads with what leaks', async () => {
    await expect(page.title()).resolves.toBe('qtests — 1 leaking file, 0 suspect')
    await expect(page.locator('h1').innerText()).resolves.toBe('1 leaking file, 0 suspect')
    const cards = await page.locator('.card').allInnerTexts()
    expect(cards.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual(['1 leaking', '0 suspect', '1 clean', '0 unmeasured', '2 files'])
  })

  it('opens the leaking file first, with a visible rising chart per leaking test, and keeps the clean one folded', async () => {
    const leaking = page.locator('details.file').first()
    await expect(leaking.locator('summary code').innerText()).resolves.toBe('test/orders.test.ts')
    await expect(leaking.getAttribute('open')).resolves.toBe('')
    const row = leaking.locator('tr.test.leak', { hasText: 'orders > creates an order and returns its id and total' })
    await expect(row.locator('.badge').innerText()).resolves.toMatch(/leak/i)
    await expect(row.locator('td.num').first().innerText()).resolves.toMatch(/^\d+(\.\d)? KiB$/)
    await expect(row.locator('svg.spark').isVisible()).resolves.toBe(true)
    await expect(row.locator('.site').innerText()).resolves.toMatch(/^kept memory allocated in readBody \(src\/http\.ts:\d+\), \d+% of it$/)
    const clean = page.locator('details.file', { hasText: 'test/cache.test.ts' })
    await expect(clean.getAttribute('open')).resolves.toBeNull()
    await expect(clean.locator('tr.test').first().isVisible()).resolves.toBe(false)
  })

  it('renders to a screenshot a person can look at', async () => {
    const file = join(reportDir, 'report.png')
    await page.screenshot({ path: file, fullPage: true })
    if (process.env.QTESTS_E2E_SCREENSHOT) await page.screenshot({ path: process.env.QTESTS_E2E_SCREENSHOT, fullPage: false })
    expect((await stat(file)).size).toBeGreaterThan(20_000)
  })
})
