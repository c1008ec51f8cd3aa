import { existsSync, mkdirSync } from 'node:fs'
import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runVitest } from '../src/harness.js'

// The HTML report as a person sees it: Debian's Chromium, headless (`.ci/run` installs it).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const dir = inject('examples')['leaky-service']
/** Screenshots kept for a person to look at (gitignored). */
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts')

/** Opens `file` in a fresh page, collecting the console's errors and uncaught exceptions from the first moment. */
async function openReport(browser: Browser, file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) errors.push(`network request to ${request.url()}`)
  })
  await page.goto(pathToFileURL(file).href)
  return { page, errors }
}

/** What this test reads of a <canvas> (the e2e package has no DOM types). */
interface Canvas {
  width: number
  height: number
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null
}

/**
 * Pixels of a chart's canvas in colour (lines, fills, markers), as opposed to the transparent background and the
 * grey or black of axes, grid and labels: a chart whose series were not drawn has none. `red`: those of the leak
 * marker's red (#dc2626).
 */
async function chartPixels(page: Page, chartId: string): Promise<{ coloured: number; red: number }> {
  return page.locator(`#${chartId} canvas`).evaluate((element) => {
    const canvas = element as unknown as Canvas
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
    let coloured = 0
    let red = 0
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!]
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++
      if (a > 200 && r > 200 && g < 70 && b < 70) red++
    }
    return { coloured, red }
  })
}

const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

describe('report.html in a real browser', () => {
  let browser: Browser
  let page: Page
  let errors: string[]
  let reportDir: string

  beforeAll(async () => {
    if (!existsSync(executablePath))
      throw new Error(
        `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
      )
    reportDir = await mkdtemp(join(tmpdir(), 'qtests-html-'))
    const run = await runVitest(dir, { QTESTS_LEAKS: 'hunt', QTESTS_REPORT_DIR: reportDir }, [
      'test/orders.test.ts',
      'test/cache.test.ts',
    ])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    browser = await chromium.launch({ executablePath, args: launchArgs })
    ;({ page, errors } = await openReport(browser, join(reportDir, 'report.html')))
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('leads with what leaks', async () => {
    await expect(page.title()).resolves.toBe('qtests — 1 leaking file, 0 suspect')
    await expect(page.locator('h1').innerText()).resolves.toBe('1 leaking file, 0 suspect')
    const cards = await page.locator('.card').allInnerTexts()
    expect(cards.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
      '1 leaking',
      '0 suspect',
      '1 clean',
      '0 unmeasured',
      '2 files',
    ])
  })

  it('opens the leaking file first, with a visible rising chart per leaking test, and keeps the clean one folded', async () => {
    const leaking = page.locator('details.file').first()
    await expect(leaking.locator('summary code').innerText()).resolves.toBe('test/orders.test.ts')
    await expect(leaking.getAttribute('open')).resolves.toBe('')
    const row = leaking.locator('tr.test.leak', { hasText: 'orders > creates an order and returns its id and total' })
    await expect(row.locator('.badge').innerText()).resolves.toMatch(/leak/i)
    await expect(row.locator('td.num').first().innerText()).resolves.toMatch(/^\d+(\.\d)? KiB$/)
    await expect(row.locator('svg.spark').isVisible()).resolves.toBe(true)
    await expect(row.locator('.site').innerText()).resolves.toMatch(
      /^kept memory allocated in readBody \(src\/http\.ts:\d+\), \d+% of it$/,
    )
    const clean = page.locator('details.file', { hasText: 'test/cache.test.ts' })
    await expect(clean.getAttribute('open')).resolves.toBeNull()
    await expect(clean.locator('tr.test').first().isVisible()).resolves.toBe(false)
  })

  it('loads with no console error and no network request', () => {
    expect(errors).toEqual([])
  })

  it('draws memory per worker, with the leaking file marked, and the worker limit over time (pixels on the canvas)', async () => {
    await expect(page.locator('figure.chart figcaption').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Memory per worker/),
      expect.stringMatching(/^Workers over time/),
    ])
    // A 1280-wide chart's lines alone colour thousands of pixels; axes and grid are grey.
    const memory = await chartPixels(page, 'chart-memory')
    expect(memory.coloured).toBeGreaterThan(1500)
    expect((await chartPixels(page, 'chart-scaling')).coloured).toBeGreaterThan(1500)
    // The leak marker: a red triangle where test/orders.test.ts ended.
    expect(memory.red).toBeGreaterThan(40)
  })

  it("states what Vitest's main process took over the run", async () => {
    await expect(page.locator('p.main-process').innerText()).resolves.toMatch(
      /^Vitest's main process: peak heap [\d.]+ MiB, peak RSS [\d.]+ MiB, CPU [\d.]+% of all cores, event-loop delay p99 [\d.]+ ms \(max [\d.]+ ms\), GC \d+ ms in \d+ collections; [1-9]\d* samples$/,
    )
  })

  it('sorts the file table by the column clicked, and reverses it on a second click', async () => {
    const files = () => page.locator('table.files-table tbody tr td:first-child code').allInnerTexts()
    const header = page.locator('table.files-table th', { hasText: 'retained' })
    await header.click()
    await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending')
    await expect(files()).resolves.toEqual(['test/cache.test.ts', 'test/orders.test.ts'])
    await header.click()
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending')
    await expect(files()).resolves.toEqual(['test/orders.test.ts', 'test/cache.test.ts'])
    const durations = await page.locator('table.files-table tbody tr td:nth-child(2)').allInnerTexts()
    for (const duration of durations) expect(duration).toMatch(/^\d+\.\d\d s$/)
  })

  it('renders to a screenshot a person can look at', async () => {
    const file = join(reportDir, 'report.png')
    await page.screenshot({ path: file, fullPage: true })
    if (process.env.QTESTS_E2E_SCREENSHOT)
      await page.screenshot({ path: process.env.QTESTS_E2E_SCREENSHOT, fullPage: false })
    expect((await stat(file)).size).toBeGreaterThan(20_000)
    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true })
  })
})

describe('report.html of a run with load tests, in a real browser', () => {
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    if (!existsSync(executablePath))
      throw new Error(
        `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
      )
    const reportDir = await mkdtemp(join(tmpdir(), 'qtests-html-load-'))
    const run = await runVitest(inject('examples')['load-service'], { QTESTS_REPORT_DIR: reportDir })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const report = run.report as { loadTests?: { test: string }[] }
    expect(report.loadTests?.map((load) => load.test)).toEqual([
      'load-service under load > serves users at 200 requests per second with a p99 under 2 s and no errors',
      'load-service under load > keeps the slow reports endpoint within its p99 budget with 10 clients',
    ])
    browser = await chromium.launch({ executablePath, args: launchArgs })
    ;({ page, errors } = await openReport(browser, join(reportDir, 'report.html')))
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('draws a latency and rate chart per load test, with no console error', async () => {
    expect(errors).toEqual([])
    const captions = await page.locator('figure.chart figcaption').allInnerTexts()
    expect(captions.filter((caption) => caption.startsWith('Load: '))).toHaveLength(2)
    expect((await chartPixels(page, 'chart-load-0')).coloured).toBeGreaterThan(1500)
    expect((await chartPixels(page, 'chart-load-1')).coloured).toBeGreaterThan(1500)
    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: join(artifacts, 'report-load.png'), fullPage: true })
  })
})
