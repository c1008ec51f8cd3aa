import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { runVitest } from '../src/harness.js'
import { type QtestsReport, fileReport, reportProblems, testReport } from '../src/report.js'

const examples = inject('examples')
const tempRoot = inject('tempRoot')

/** Adds a config and test files to the installed basic example, outside its default `include`. */
function addToBasic(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(examples.basic, path, '..'), { recursive: true })
    writeFileSync(join(examples.basic, path), text)
  }
}

describe('how a run ends', () => {
  it("fails the run with exit code 1 when failOn is 'leak' and a test leaks, though every test passes", async () => {
    const run = await runVitest(examples['leaky-service'], { QTESTS_EXAMPLE_POOL: 'forks' }, [
      '--config',
      'vitest.failon.config.ts',
    ])
    expect(run.stdout, run.stderr).toMatch(/Tests\s+60 passed \(60\)/)
    expect(run.code, run.stdout + run.stderr).toBe(1)
    expect(reportProblems(run.report, 'hunt')).toEqual([])
    expect(fileReport(run.report as QtestsReport, 'test/orders.test.ts').verdict).toBe('leak')
  })

  it('still writes report.json when a test fails, with the failed test unknown', async () => {
    addToBasic({
      'vitest.failing.config.ts': [
        "import { qtests } from '@qtests/vitest'",
        "import { defineConfig } from 'vitest/config'",
        "export default defineConfig({ plugins: [qtests()], test: { include: ['extra/failing.e2e.ts'] } })",
        '',
      ].join('\n'),
      'extra/failing.e2e.ts': [
        "import { expect, it } from 'vitest'",
        "it('passes', () => { expect(1).toBe(1) })",
        "it('fails', () => { expect(1).toBe(2) })",
        '',
      ].join('\n'),
    })
    const run = await runVitest(examples.basic, {}, ['--config', 'vitest.failing.config.ts'])
    expect(run.stdout, run.stderr).toMatch(/Tests\s+1 failed \| 1 passed \(2\)/)
    expect(run.code).toBe(1)
    expect(reportProblems(run.report, 'measure')).toEqual([])
    const file = fileReport(run.report as QtestsReport, 'extra/failing.e2e.ts')
    expect(testReport(file, 'fails').verdict).toBe('unknown')
    expect(testReport(file, 'passes').verdict).not.toBe('leak')
  })

  it("writes a report in mode 'off' with every verdict unknown when QTESTS_LEAKS=off", async () => {
    const run = await runVitest(examples['leaky-service'], { QTESTS_LEAKS: 'off' })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(reportProblems(run.report, 'off')).toEqual([])
    expect((run.report as QtestsReport).files.map((file) => file.verdict)).toEqual(Array(6).fill('unknown'))
  })

  it('writes the report to QTESTS_REPORT_DIR when it is set', async () => {
    const reportDir = join(tempRoot, 'custom-report-dir')
    const run = await runVitest(examples.basic, { QTESTS_REPORT_DIR: reportDir })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.reportPath).toBe(join(reportDir, 'report.json'))
    expect(reportProblems(run.report, 'measure')).toEqual([])
  })

  it('stops at start-up with one error naming a bad option, its value and what is allowed', async () => {
    addToBasic({
      'vitest.bad-option.config.ts': [
        "import { qtests } from '@qtests/vitest'",
        "import { defineConfig } from 'vitest/config'",
        "export default defineConfig({ plugins: [qtests({ leaks: { mode: 'sometimes' } } as never)] })",
        '',
      ].join('\n'),
    })
    const run = await runVitest(examples.basic, {}, ['--config', 'vitest.bad-option.config.ts'])
    const output = run.stdout + run.stderr
    expect(run.code).not.toBe(0)
    expect(output).toContain('mode')
    expect(output).toContain('sometimes')
    expect(output).toMatch(/measure/)
    expect(output).not.toMatch(/Tests\s+\d+ passed/)
  })
})
