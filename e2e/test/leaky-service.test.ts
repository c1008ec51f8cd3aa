import { beforeAll, describe, expect, inject, it } from 'vitest'
import { type VitestRun, runVitest } from '../src/harness.js'
import { type QtestsReport, fileReport, reportProblems, testReport } from '../src/report.js'
import { bytesPattern, qtestsSection } from '../src/terminal.js'

const dir = inject('examples')['leaky-service']

const leakyFile = 'test/orders.test.ts'
const cleanFiles = [
  'test/cache.test.ts',
  'test/fixtures.test.ts',
  'test/reports.test.ts',
  'test/sessions.test.ts',
  'test/server.test.ts',
]
const quantities = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
/** Tests of orders.test.ts that post at least one order (~32 KB of body kept each time). */
const leakingTests = [
  'orders > creates an order and returns its id and total',
  'orders > publishes order:created on the bus',
  'orders > accepts an order from a returning customer',
  ...quantities.map((q) => `orders > totals an order from c${9 + q} of ${q} items as ${q * 1250} cents`),
]
/** Rejected before the audit trail is reached: nothing is kept. */
const rejectedOrderTest = 'orders > rejects an order without items'

describe.each([
  { mode: 'hunt', pool: 'forks' },
  { mode: 'hunt', pool: 'threads' },
  { mode: 'measure', pool: 'forks' },
  { mode: 'measure', pool: 'threads' },
] as const)('leaky-service in $mode mode, $pool pool', ({ mode, pool }) => {
  let run: VitestRun
  let report: QtestsReport

  beforeAll(async () => {
    // A developer's first run: one in CI without the cache would leave growing files unconfirmed (measure).
    run = await runVitest(dir, { QTESTS_LEAKS: mode, QTESTS_EXAMPLE_POOL: pool, CI: '' })
    report = run.report as QtestsReport
  })

  it('passes all 60 tests and exits 0, because failOn defaults to none', () => {
    expect(run.stdout, run.stderr).toMatch(/Tests\s+60 passed \(60\)/)
    expect(run.code, run.stdout + run.stderr).toBe(0)
  })

  it('writes report.json as the contract describes', () => {
    expect(run.report, `no report at ${run.reportPath}\n${run.stdout}\n${run.stderr}`).not.toBeNull()
    expect(reportProblems(run.report, mode)).toEqual([])
  })

  it('lists every file by its path relative to the root, and every test by its full name', () => {
    expect(report.files.map((file) => file.file).sort()).toEqual([...cleanFiles, leakyFile].sort())
    expect(
      fileReport(report, leakyFile)
        .tests.map((test) => test.name)
        .sort(),
    ).toEqual([...leakingTests, rejectedOrderTest].sort())
  })

  it('calls orders.test.ts a leak', () => {
    // The file's whole entry on failure: its reason and probe say whether the screen or the confirmation missed it.
    const entry = fileReport(report, leakyFile)
    expect(entry.verdict, JSON.stringify({ ...entry, tests: entry.tests.length })).toBe('leak')
  })

  it('calls none of the clean files, nor any of their tests, a leak', () => {
    const blamed = cleanFiles.flatMap((file) => {
      const entry = fileReport(report, file)
      const tests = entry.tests.filter((test) => test.verdict === 'leak').map((test) => `${file} > ${test.name}`)
      return entry.verdict === 'leak' ? [file, ...tests] : tests
    })
    expect(blamed).toEqual([])
  })

  it.runIf(mode === 'hunt')('calls each test that posts an order a leak of 16–256 KB per iteration', () => {
    const file = fileReport(report, leakyFile)
    for (const name of leakingTests) {
      const test = testReport(file, name)
      expect({ name, verdict: test.verdict }).toEqual({ name, verdict: 'leak' })
      expect(test.bytesPerIteration, name).toBeGreaterThanOrEqual(16 * 1024)
      expect(test.bytesPerIteration, name).toBeLessThanOrEqual(256 * 1024)
      expect(test.iterations, name).toBeGreaterThan(1)
    }
  })

  it.runIf(mode === 'hunt')('does not blame the rejected order, which keeps nothing', () => {
    expect(testReport(fileReport(report, leakyFile), rejectedOrderTest).verdict).not.toBe('leak')
  })

  it.runIf(mode === 'measure')(
    'runs every test once, and repeats only tests of a file whose memory grew to confirm it',
    () => {
      for (const file of report.files.filter((file) => !file.confirmed)) {
        for (const test of file.tests) expect(test.iterations, `${file.file} > ${test.name}`).toBe(1)
      }
      // The confirmation stops at the file's first confirmed leak: that test was repeated, and it is named.
      const leaky = fileReport(report, leakyFile)
      expect(leaky.confirmed).toBe(true)
      const repeatedLeaks = leaky.tests.filter((test) => test.iterations > 1 && test.verdict === 'leak')
      expect(repeatedLeaks.length, JSON.stringify(leaky.tests)).toBeGreaterThanOrEqual(1)
      for (const test of repeatedLeaks) expect(leakingTests).toContain(test.name)
    },
  )

  it('names the leaking file, its size and the report after the summary', () => {
    const section = qtestsSection(`${run.stdout}\n${run.stderr}`)
    expect(section, run.stdout + run.stderr).not.toBeNull()
    expect(section).toContain('orders.test.ts')
    expect(section).toMatch(bytesPattern)
    expect(section).toContain('report.json')
    // Suspect files may be listed too; a clean file must never be on a line that says leak.
    const linesBlamingCleanFiles = section!
      .split('\n')
      .filter((line) => cleanFiles.some((file) => line.includes(file)) && /\bleak\b/i.test(line))
    expect(linesBlamingCleanFiles).toEqual([])
  })
})
