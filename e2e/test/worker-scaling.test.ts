import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { runVitest } from '../src/harness.js'

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
    expect(run.stdout).toMatch(/workers \d+(→\d+)* \(at most \d+ at once\), peak \d+(\.\d)? [MG]B of 2\.0 GB budget/)
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
export default defineConfig({ plugins: [qtests({ leaks: { mode: 'off' }, workers: { max: 8, memoryBudget: '400MB' } })] })
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
      { file: 'test/search-index.test.ts', reason: 'worker exited: heap out of memory (SIGABRT)', heapMb: 256, outcome: 'passed' },
    ])
  })
})
