import { describe, expect, it } from 'vitest'
import type { QtestsReport } from './schema.js'
import { formatTerminalSection, workerLines } from './terminal.js'

function report(partial: Partial<QtestsReport>): QtestsReport {
  return {
    schemaVersion: 1,
    tool: { name: 'qtests', version: '0.1.0' },
    mode: 'hunt',
    startedAt: '2026-11-27T00:00:00.000Z',
    durationMs: 1,
    outcome: 'passed',
    settings: { iterations: 24, minBytesPerIteration: 1024, minBytesPerTest: 16384 },
    summary: { files: 2, leak: 0, suspect: 0, clean: 2, unknown: 0 },
    files: [],
    workers: { adaptive: false, min: 1, max: 1, peakConcurrency: 1, timeline: [], retries: [] },
    ...partial,
  }
}

/** A measure-mode file report, clean, that a test's fields override. */
const clean = {
  project: null,
  verdict: 'clean' as const,
  retainedBytes: 0,
  growthBytesPerTest: null,
  confidence: 0.9,
  reason: '',
  state: 'passed' as const,
  tests: [],
}

describe('formatTerminalSection', () => {
  it('says once that probes failed, naming the first file and the error', () => {
    const file = {
      file: 'test/a.test.ts',
      project: null,
      verdict: 'unknown' as const,
      retainedBytes: 0,
      growthBytesPerTest: null,
      confidence: 0,
      reason: '',
      state: 'passed' as const,
      tests: [],
      probe: { gcCount: 0, gcMs: 0, youngGcMs: 0, error: 'sample: gc is not a function' },
    }
    const text = formatTerminalSection(report({ files: [file, { ...file, file: 'test/b.test.ts' }] }), {
      detail: 'summary',
      reportPaths: [],
    })
    expect(text.split('\n').filter((line) => line.includes('probes failed'))).toEqual([
      '  probes failed in 2 file(s), which are left unmeasured; first: test/a.test.ts: sample: gc is not a function',
    ])
  })

  it('is one line when nothing leaks', () => {
    expect(formatTerminalSection(report({}), { detail: 'summary', reportPaths: ['.qtests/report.json'] })).toBe(
      ' qtests  no leaks found (hunt, 24 iterations per test) · 0 leaking, 0 suspect, 2 clean, 0 unmeasured of 2 files · report: .qtests/report.json\n',
    )
  })

  it('counts the files it did not probe, and those it did not repeat because an earlier run cleared them or saw them fail', () => {
    const files = [
      { ...clean, file: 'test/a.test.ts', reused: true as const },
      { ...clean, file: 'test/b.test.ts', clearedEarlier: { growthBytesPerTest: 40_000, at: '2026-12-01T00:00:00Z' } },
      {
        ...clean,
        file: 'test/c.test.ts',
        verdict: 'unknown' as const,
        failedRepeats: { growthBytesPerTest: 140_000, at: '2026-12-01T00:00:00Z' },
      },
      { ...clean, file: 'test/d.test.ts', verdict: 'unknown' as const, failedRepeats: { growthBytesPerTest: 90_000 } },
      { ...clean, file: 'test/e.test.ts', verdict: 'leak' as const, reused: true as const },
    ]
    const summary = { files: 5, leak: 1, suspect: 0, clean: 2, unknown: 2 }
    const text = formatTerminalSection(report({ mode: 'measure', files, summary }), {
      detail: 'summary',
      reportPaths: [],
    })
    expect(text).toContain(
      '2 clean (1 unchanged since measured clean, not probed; 1 grew as when an earlier run cleared them, not repeated)',
    )
    expect(text).toContain('2 unmeasured (1 failed in every repeat of an earlier run, not repeated) of 5 files')
    expect(text).toContain('1 leaking (1 unchanged since confirmed, not probed), 0 suspect')
  })

  it('says once, with the reason, how many files the probes’ budget left to a later run', () => {
    const file = (name: string, overBudget: boolean) =>
      overBudget
        ? { ...clean, file: name, verdict: 'unknown' as const, confidence: 0, overBudget: true as const }
        : { ...clean, file: name }
    const files = [file('test/a.test.ts', false), file('test/b.test.ts', true), file('test/c.test.ts', true)]
    const summary = { files: 3, leak: 0, suspect: 0, clean: 1, unknown: 2 }
    const text = formatTerminalSection(report({ mode: 'measure', files, summary }), {
      detail: 'summary',
      reportPaths: [],
    })
    expect(text).toContain(
      "  2 files not probed in this run: their worker's probes had taken their share (3%) of its busy time; a later run measures them\n",
    )
    const none = formatTerminalSection(report({ mode: 'measure', files: [file('test/a.test.ts', false)] }), {
      detail: 'summary',
      reportPaths: [],
    })
    expect(none).not.toContain('not probed in this run')
  })

  it('names the worst three growing tests of a file, what their runs left open, and counts the rest', () => {
    const tests = [10, 50, 20, 40, 30].map((kb, i) => ({
      name: `t${i}`,
      verdict: 'leak' as const,
      bytesPerIteration: kb * 1024,
      confidence: 1,
      iterations: 24,
      reason: '',
      ...(kb === 40 ? { openPerRun: { Timeout: 1 } } : {}),
    }))
    const file = {
      file: 'test/a.test.ts',
      project: null,
      verdict: 'leak' as const,
      retainedBytes: 1,
      growthBytesPerTest: null,
      confidence: 1,
      reason: '',
      state: 'passed' as const,
      tests,
    }
    const lines = formatTerminalSection(
      report({ summary: { files: 1, leak: 1, suspect: 0, clean: 0, unknown: 0 }, files: [file] }),
      {
        detail: 'summary',
        reportPaths: [],
      },
    ).split('\n')
    expect(lines.slice(1, 6)).toEqual([
      '  LEAK     test/a.test.ts > t1  +50.0 KiB/iteration  confidence 1.00',
      '  LEAK     test/a.test.ts > t3  +40.0 KiB/iteration  confidence 1.00',
      '           each run left open: 1 Timeout',
      '  LEAK     test/a.test.ts > t4  +30.0 KiB/iteration  confidence 1.00',
      '           … and 2 more growing tests in test/a.test.ts (see the report)',
    ])
  })

  it('lists leaking tests with bytes per iteration and confidence, then the counts and the report path', () => {
    const text = formatTerminalSection(
      report({
        summary: { files: 1, leak: 1, suspect: 0, clean: 0, unknown: 0 },
        files: [
          {
            file: 'test/audit.test.ts',
            project: null,
            verdict: 'leak',
            retainedBytes: 1,
            growthBytesPerTest: null,
            confidence: 0.99,
            reason: '',
            state: 'passed',
            tests: [
              {
                name: 'audit > records',
                verdict: 'leak',
                bytesPerIteration: 49_357,
                confidence: 0.99,
                iterations: 24,
                reason: '',
              },
              {
                name: 'audit > reads',
                verdict: 'clean',
                bytesPerIteration: 0,
                confidence: 0.99,
                iterations: 24,
                reason: '',
              },
            ],
          },
        ],
      }),
      { detail: 'summary', reportPaths: ['.qtests/report.json'] },
    )
    expect(text.split('\n')).toEqual([
      ' qtests  memory leaks (hunt, 24 iterations per test)',
      '  LEAK     test/audit.test.ts > audit > records  +48.2 KiB/iteration  confidence 0.99',
      '  1 leaking, 0 suspect, 0 clean, 0 unmeasured of 1 files · report: .qtests/report.json',
      '',
    ])
  })
})

describe('workerLines', () => {
  const workers = (limits: number[]) =>
    report({
      workers: {
        adaptive: true,
        min: 1,
        max: 8,
        peakConcurrency: 2,
        timeline: [],
        retries: [],
        limits,
        peakRssBytes: 225 * 1024 ** 2,
        memoryBudgetBytes: 250 * 1024 ** 2,
      },
    })

  it('lists every limit of a short run', () => {
    expect(workerLines(workers([2, 4, 8, 5]))).toEqual([
      '  workers 2→4→8→5 (at most 2 at once), peak 225.0 MiB of 250.0 MiB budget',
    ])
  })

  it('keeps the start, the highest and the end of a long run, each once', () => {
    expect(workerLines(workers([2, 1, 2, 1, 2, 1, 2, 1]))[0]).toMatch(/^ {2}workers 2→1 \(/)
    expect(workerLines(workers([2, 4, 2, 8, 3, 8, 3, 6]))[0]).toMatch(/^ {2}workers 2→8→6 \(/)
  })
})

describe('formatTerminalSection on long and mixed runs', () => {
  const leakingFile = (i: number) => ({
    file: `test/f${String(i).padStart(2, '0')}.test.ts`,
    project: null,
    verdict: 'leak' as const,
    retainedBytes: 1,
    growthBytesPerTest: 20_000,
    confidence: 0.99,
    reason: '',
    state: 'passed' as const,
    tests: [],
  })

  it('caps a run with 30 leaking files and points at the report for the rest', () => {
    const files = Array.from({ length: 30 }, (_, i) => leakingFile(i))
    const text = formatTerminalSection(
      report({ mode: 'measure', summary: { files: 30, leak: 30, suspect: 0, clean: 0, unknown: 0 }, files }),
      {
        detail: 'summary',
        reportPaths: ['.qtests/report.json', '.qtests/report.html'],
      },
    )
    const lines = text.trimEnd().split('\n')
    expect(lines.filter((line) => line.startsWith('  LEAK'))).toHaveLength(8)
    expect(lines).toContain('  … and 22 more files with growth: see .qtests/report.html')
    expect(lines.length).toBeLessThanOrEqual(12)
  })

  it('calls a growing file that was never repeated not confirmed, and gives a confirmed one its confidence', () => {
    const files = [
      { ...leakingFile(1), verdict: 'suspect' as const, confidence: 0.5 },
      { ...leakingFile(2), verdict: 'suspect' as const, confidence: 0.7, confirmed: true as const },
    ]
    const text = formatTerminalSection(
      report({ mode: 'measure', summary: { files: 2, leak: 0, suspect: 2, clean: 0, unknown: 0 }, files }),
      { detail: 'summary', reportPaths: ['.qtests/report.json'] },
    )
    expect(text).toContain('  SUSPECT  test/f01.test.ts  +19.5 KiB/test  not confirmed\n')
    expect(text).toContain('  SUSPECT  test/f02.test.ts  +19.5 KiB/test  confidence 0.70\n')
  })

  it('says which tool keeps memory for how many tests, and what to change, apart from the leaks', () => {
    const tooling = [
      {
        holder: 'vitest-mocks' as const,
        what: "Vitest's mock registry",
        objectsPerIteration: 1,
        bytesPerIteration: 21_800,
        advice: 'create the mock once',
      },
    ]
    const tests = ['a', 'b'].map((name) => ({
      name,
      verdict: 'clean' as const,
      bytesPerIteration: 100,
      confidence: 0.9,
      iterations: 24,
      reason: '',
      tooling,
    }))
    const file = { ...leakingFile(0), verdict: 'clean' as const, tests }
    const text = formatTerminalSection(report({ files: [file] }), { detail: 'summary', reportPaths: [] })
    expect(text).toContain(
      "  TOOLING  2 tests keep memory in Vitest's mock registry (up to +21.3 KiB/iteration, in test/f00.test.ts > a), not your code's leak: create the mock once",
    )
    expect(text).toMatch(/no leaks found/)
  })

  it('counts tests the repeat run could not measure and gives the first reason', () => {
    const tests = [
      { name: 'ok', verdict: 'clean' as const, bytesPerIteration: 0, confidence: 0.9, iterations: 24, reason: '' },
      {
        name: 'depends on state',
        verdict: 'unknown' as const,
        bytesPerIteration: null,
        confidence: 0,
        iterations: 24,
        reason: 'its runs failed',
      },
      {
        name: 'skipped',
        verdict: 'unknown' as const,
        bytesPerIteration: null,
        confidence: 0,
        iterations: 0,
        reason: 'skipped or todo: not run',
      },
    ]
    const text = formatTerminalSection(report({ files: [{ ...leakingFile(1), verdict: 'clean' as const, tests }] }), {
      detail: 'summary',
      reportPaths: [],
    })
    expect(text).toContain('  1 test not measured; first: test/f01.test.ts > depends on state: its runs failed')
  })

  it('says a crashed file’s retry completed with failing tests', () => {
    const lines = workerLines(
      report({
        workers: {
          adaptive: true,
          min: 1,
          max: 4,
          peakConcurrency: 2,
          timeline: [],
          limits: [2],
          retries: [
            { file: 'test/big.test.ts', reason: 'worker exited: heap out of memory', heapMb: 320, outcome: 'failed' },
          ],
        },
      }),
    )
    expect(lines[1]).toBe(
      '  retried test/big.test.ts alone with a 320 MiB heap after worker exited: heap out of memory: completed, with failing tests',
    )
  })
})
