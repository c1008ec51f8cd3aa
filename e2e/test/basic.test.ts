import { beforeAll, describe, expect, inject, it } from 'vitest'
import { type VitestRun, runVitest } from '../src/harness.js'
import { type QtestsReport, fileReport, reportProblems } from '../src/report.js'
import { qtestsSection } from '../src/terminal.js'

const dir = inject('examples').basic

describe('basic, zero-config, measure mode', () => {
  let run: VitestRun

  beforeAll(async () => {
    // A developer's first run: in CI without the cache a file that grew on first use would stay `suspect`.
    run = await runVitest(dir, { CI: '' })
  })

  it('passes and exits 0', () => {
    expect(run.stdout).toMatch(/Tests\s+5 passed \(5\)/)
    expect(run.code, run.stdout + run.stderr).toBe(0)
  })

  it('says in one line that nothing leaks', () => {
    const section = qtestsSection(`${run.stdout}\n${run.stderr}`)
    expect(section, run.stdout + run.stderr).not.toBeNull()
    // When the file grew on first use past measure's bar, the repeat run's lines (before and after it) come first.
    const lines = section!.split('\n').filter((line) => line.trim() && !/\bqtests\s+repeat(ing| run)\b/.test(line))
    expect(lines[0], section!).toMatch(/\bno\b.*\bleak/i)
  })

  it('writes a measure-mode report.json under .qtests/ with the file and its tests, none leaking', () => {
    expect(run.reportPath).toBe(`${dir}/.qtests/report.json`)
    expect(reportProblems(run.report, 'measure')).toEqual([])
    const file = fileReport(run.report as QtestsReport, 'test/sum.test.ts')
    expect(file.verdict).not.toBe('leak')
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
    expect(file.tests.map((test) => ({ name: test.name, leaks: test.verdict === 'leak' })).sort(byName)).toEqual(
      [
        { name: 'sum > adds two numbers', leaks: false },
        { name: 'sum > returns 0 for no numbers', leaks: false },
        { name: 'sum > sum([1]) is 1', leaks: false },
        { name: 'sum > sum([1,2,3]) is 6', leaks: false },
        { name: 'sum > sum([-4,4]) is 0', leaks: false },
      ].sort(byName),
    )
  })
})
