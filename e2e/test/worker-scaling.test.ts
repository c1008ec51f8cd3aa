import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { processesWith, runVitest, startVitest } from '../src/harness.js'

const dir = inject('examples')['worker-scaling']

interface WorkersSection {
  adaptive: boolean
  peakConcurrency: number
  timeline: { t: number; running: number; limit: number; rssBytes: number | null }[]
  retries: { file: string; reason: string; heapMb?: number | null; outcome?: string }[]
}

const workersOf = (report: unknown) => (report as { workers: WorkersSection }).workers

describe('worker-scaling, adaptive workers from the packed plugin', () => {
  it('runs all 15 tests and reports the workers it used in one line and in report.json', async () => {
    const run = await runVitest(dir)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(/Tests\s+15 passed \(15\)/)
    expect(run.stdout).toMatch(/workers \d+(→\d+)* \(at most \d+ at once\), peak \d+\.\d [MG]iB of 2\.0 GiB budget/)
    const workers = workersOf(run.report)
    expect(workers.adaptive).toBe(true)
    expect(workers.timeline.length).toBeGreaterThan(2)
    expect(workers.retries).toEqual([])
  })

  it('changes the limit mid-run when the workers press on a small memory budget', async () => {
    // The search index alone takes a few hundred MB: within 400 MB the limit has to come down.
    writeFileSync(
      join(dir, 'vitest.small-budget.config.ts'),
      `import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'
export default defineConfig({ plugins: [qtests({ leaks: { mode: 'off' }, workers: { max: 8, memoryBudget: '400MiB' } })] })
`,
    )
    const run = await runVitest(dir, {}, ['--config', 'vitest.small-budget.config.ts'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const limits = new Set(workersOf(run.report).timeline.map((point) => point.limit))
    expect(limits.size, JSON.stringify(workersOf(run.report).timeline)).toBeGreaterThanOrEqual(2)
  })

  it('retries the file whose worker runs out of heap, and every test still passes', async () => {
    const run = await runVitest(dir, {}, ['--execArgv=--max-old-space-size=128'])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(/Tests\s+15 passed \(15\)/)
    expect(workersOf(run.report).retries).toEqual([
      {
        file: 'test/search-index.test.ts',
        reason: 'worker exited: heap out of memory (SIGABRT)',
        heapMb: 256,
        outcome: 'passed',
      },
    ])
  })

  it('stops on --bail: files waiting for a slot never start, and no worker process is left', async () => {
    // A failing file outside the example's own suite, and a config that includes it.
    mkdirSync(join(dir, 'bail'), { recursive: true })
    writeFileSync(
      join(dir, 'bail', 'fails.test.ts'),
      `import { expect, it } from 'vitest'\nit('fails at once', () => { expect(1).toBe(2) })\n`,
    )
    writeFileSync(
      join(dir, 'vitest.bail.config.ts'),
      `import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'
import { BaseSequencer } from 'vitest/node'

// The failing file goes first, so the failure comes while most files still wait for a slot.
class FailingFirst extends BaseSequencer {
  async sort(files) {
    const sorted = await super.sort(files)
    return [...sorted.filter((f) => f.moduleId.includes('/bail/')), ...sorted.filter((f) => !f.moduleId.includes('/bail/'))]
  }
}
export default defineConfig({
  plugins: [qtests({ leaks: { mode: 'off' }, workers: { max: 8, memoryBudget: '2GiB' } })],
  test: { include: ['bail/*.test.ts', 'test/**/*.test.ts'], sequence: { sequencer: FailingFirst } },
})
`,
    )
    // A unique report directory marks every process of this run in its environment.
    const reportDir = mkdtempSync(join(tmpdir(), 'e2e-bail-'))
    try {
      const run = await runVitest(dir, { QTESTS_REPORT_DIR: reportDir }, [
        '--config',
        'vitest.bail.config.ts',
        '--bail=1',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${join(reportDir, 'vitest.json')}`,
      ])
      expect(run.code, run.stdout + run.stderr).toBe(1)
      const results = JSON.parse(readFileSync(join(reportDir, 'vitest.json'), 'utf8')) as {
        testResults: { name: string; assertionResults: { status: string }[] }[]
      }
      const passed = results.testResults
        .flatMap((file) => file.assertionResults)
        .filter((test) => test.status === 'passed')
      // Vitest hands the gate 8 files while 2 run: the one beside the failing file may finish a test or two
      // before the cancel arrives (as in plain Vitest), the rest must not start. Without the cancel reaching
      // the gate, every waiting file ran to the end (11 passed).
      expect(passed.length, run.stdout).toBeLessThanOrEqual(3)
      expect(workersOf(run.report).adaptive).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expect(processesWith(reportDir)).toEqual([])
    } finally {
      rmSync(join(dir, 'bail'), { recursive: true, force: true })
      rmSync(join(dir, 'vitest.bail.config.ts'), { force: true })
      rmSync(reportDir, { recursive: true, force: true })
    }
  })

  it('runs a changed file again in watch mode, through the gate', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'e2e-watch-'))
    const reportFile = join(reportDir, 'report.json')
    const vitest = await startVitest(dir, ['watch'], { QTESTS_REPORT_DIR: reportDir, CI: '' })
    try {
      const first = await waitForReport(reportFile, undefined, vitest.output)
      expect(first.files.length).toBe(9)
      const touched = join(dir, 'test', 'ranking.test.ts')
      const now = new Date()
      utimesSync(touched, now, now)
      const second = await waitForReport(reportFile, first.startedAt, vitest.output)
      // The report still covers every file; the rerun's is the one not carried over from the first run.
      expect(second.files.filter((file) => !file.earlierRun).map((file) => file.file)).toEqual(['test/ranking.test.ts'])
      expect(second.files.length).toBe(9)
      expect(second.workers.adaptive).toBe(true)
      expect(second.workers.peakConcurrency).toBe(1)
      expect(vitest.output()).toMatch(/Tests\s+1 passed \(1\)/)
    } finally {
      await vitest.stop()
      rmSync(reportDir, { recursive: true, force: true })
    }
  })
})

interface WatchReport {
  startedAt: string
  files: { file: string; earlierRun?: true }[]
  workers: WorkersSection
}

/** Waits (up to 90 s) for a report.json whose run started after `previousStart`. */
async function waitForReport(
  file: string,
  previousStart: string | undefined,
  output: () => string,
): Promise<WatchReport> {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    try {
      statSync(file)
      const report = JSON.parse(readFileSync(file, 'utf8')) as WatchReport
      if (report.startedAt !== previousStart) return report
    } catch {
      // not written yet, or being replaced
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`no new report in ${file} within 90 s; Vitest printed:\n${output()}`)
}
