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
    const text = formatTerminalSection(report({ files: [file, { ...file, file: 'test/b.test.ts' }] }), { detail: 'summary', reportPaths: [] })
    expect(text.split('\n').filter((line) => line.includes('probes failed'))).toEqual([
      '  probes failed in 2 file(s), which are left unmeasured; first: test/a.test.ts: sample: gc is not a function',
    ])
  })

  it('is one line when nothing leaks', () => {
    expect(formatTerminalSection(report({}), { detail: 'summary', reportPaths: ['.qtests/report.json'] })).toBe(
      ' qtests  no leaks found (hunt, 24 iterations per test) · 0 leaking, 0 suspect, 2 clean, 0 unmeasured of 2 files · report: .qtests/report.json\n',
    )
  })

  it('names the worst three growing tests of a file and counts the rest', () => {
    const tests = [10, 50, 20, 40, 30].map((kb, i) => ({
      name: `t${i}`,
      verdict: 'leak' as const,
      bytesPerIteration: kb * 1024,
      confidence: 1,
      iterations: 24,
      reason: '',
    }))
    const file = { file: 'test/a.test.ts', project: null, verdict: 'leak' as const, retainedBytes: 1, growthBytesPerTest: null, confidence: 1, reason: '', state: 'passed' as const, tests }
    const lines = formatTerminalSection(report({ summary: { files: 1, leak: 1, suspect: 0, clean: 0, unknown: 0 }, files: [file] }), {
      detail: 'summary',
      reportPaths: [],
    }).split('\n')
    expect(lines.slice(1, 5)).toEqual([
      '  LEAK     test/a.test.ts > t1  +50.0 KB/iteration  confidence 1.00',
      '  LEAK     test/a.test.ts > t3  +40.0 KB/iteration  confidence 1.00',
      '  LEAK     test/a.test.ts > t4  +30.0 KB/iteration  confidence 1.00',
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
              { name: 'audit > records', verdict: 'leak', bytesPerIteration: 49_357, confidence: 0.99, iterations: 24, reason: '' },
              { name: 'audit > reads', verdict: 'clean', bytesPerIteration: 0, confidence: 0.99, iterations: 24, reason: '' },
            ],
          },
        ],
      }),
      { detail: 'summary', reportPaths: ['.qtests/report.json'] },
    )
    expect(text.split('\n')).toEqual([
      ' qtests  memory leaks (hunt, 24 iterations per test)',
      '  LEAK     test/audit.test.ts > audit > records  +48.2 KB/iteration  confidence 0.99',
      '  1 leaking, 0 suspect, 0 clean, 0 unmeasured of 1 files · report: .qtests/report.json',
      '',
    ])
  })
})

describe('workerLines', () => {
  const workers = (limits: number[]) =>
    report({
      workers: { adaptive: true, min: 1, max: 8, peakConcurrency: 2, timeline: [], retries: [], limits, peakRssBytes: 225 * 1024 ** 2, memoryBudgetBytes: 250 * 1024 ** 2 },
    })

  it('lists every limit of a short run', () => {
    expect(workerLines(workers([2, 4, 8, 5]))).toEqual(['  workers 2→4→8→5 (at most 2 at once), peak 225 MB of 250 MB budget'])
  })

  it('keeps the start, the highest and the end of a long run, each once', () => {
    expect(workerLines(workers([2, 1, 2, 1, 2, 1, 2, 1]))[0]).toMatch(/^ {2}workers 2→1 \(/)
    expect(workerLines(workers([2, 4, 2, 8, 3, 8, 3, 6]))[0]).toMatch(/^ {2}workers 2→8→6 \(/)
  })
})
