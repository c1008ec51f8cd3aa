import { describe, expect, it } from 'vitest'
import type { FileInput, VerdictSettings } from './verdicts.js'
import { fileVerdict } from './verdicts.js'

const hunt: VerdictSettings = { mode: 'hunt', minBytesPerIteration: 1024, minBytesPerTest: 16384 }
const measure: VerdictSettings = { ...hunt, mode: 'measure' }

const growing = (perRun: number, n = 24, start = 10_000_000) => Array.from({ length: n }, (_, i) => start + i * perRun + ((i * 7919) % 5) * 60)

function huntFile(tests: FileInput['tests']): FileInput {
  return { file: 'test/a.test.ts', project: null, state: 'passed', tests }
}

describe('hunt verdicts', () => {
  it('calls a steadily growing test a leak and sizes it net of Vitest’s own per-run retention', () => {
    const report = fileVerdict(
      huntFile([{ name: 'a > grows', state: 'passed', probe: { samples: growing(20_392), iterations: 24, harnessBytesPerIteration: 392 } }]),
      hunt,
    )
    expect(report.verdict).toBe('leak')
    expect(report.tests[0]!.verdict).toBe('leak')
    expect(report.tests[0]!.bytesPerIteration).toBeGreaterThan(19_800)
    expect(report.tests[0]!.bytesPerIteration).toBeLessThan(20_200)
    expect(report.retainedBytes).toBe(report.tests[0]!.bytesPerIteration! * 24)
  })

  it('does not report Vitest’s own per-run retention as a leak', () => {
    const report = fileVerdict(
      huntFile([{ name: 'a > hooks', state: 'passed', probe: { samples: growing(1_400), iterations: 24, harnessBytesPerIteration: 1_400 } }]),
      hunt,
    )
    expect(report.tests[0]!.verdict).toBe('clean')
  })

  it('leaves failed, skipped and unrepeatable tests unknown, with the reason', () => {
    const report = fileVerdict(
      huntFile([
        { name: 'failed', state: 'failed', probe: { samples: [], iterations: 0, unmeasured: 'the test failed, so it was not repeated' } },
        { name: 'skipped', state: 'skipped' },
        { name: 'stateful', state: 'passed', probe: { samples: [1, 2], iterations: 2, unmeasured: 'failed when repeated (iteration 2): x' } },
      ]),
      hunt,
    )
    expect(report.tests.map((t) => [t.verdict, t.iterations])).toEqual([
      ['unknown', 0],
      ['unknown', 0],
      ['unknown', 2],
    ])
    expect(report.tests[2]!.reason).toBe('failed when repeated (iteration 2): x')
    expect(report.verdict).toBe('unknown')
  })
})

describe('measure verdicts', () => {
  const at12 = Array.from({ length: 12 }, (_, i) => i)
  const tests = Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, state: 'passed' as const }))

  it('confirms growth with five full-GC samples and gives growth per test', () => {
    const input: FileInput = {
      file: 'test/b.test.ts',
      project: 'unit',
      state: 'passed',
      tests,
      probe: {
        screen: growing(40_000, 12),
        screenAt: at12,
        screenMs: 0,
        samples: [10_100_000, 10_180_000, 10_260_000, 10_340_000, 10_460_000],
        atTest: [2, 4, 6, 8, 11],
        testsRun: 12,
        gcCount: 5,
        gcMs: 20,
      },
    }
    const report = fileVerdict(input, measure)
    expect(report.verdict).toBe('leak')
    expect(report.growthBytesPerTest).toBe(40_000)
    expect(report.retainedBytes).toBe(360_000)
    expect(report.tests.every((t) => t.verdict === 'unknown' && t.iterations === 1)).toBe(true)
  })

  it('calls a file clean from flat young-generation samples alone, and its tests with it', () => {
    const flat = Array.from({ length: 12 }, (_, i) => 9_000_000 + (i % 3) * 500)
    const report = fileVerdict(
      { file: 'test/c.test.ts', project: null, state: 'passed', tests, probe: { screen: flat, screenAt: at12, samples: [], atTest: [], screenMs: 0, testsRun: 12, gcCount: 0, gcMs: 0 } },
      measure,
    )
    expect(report.verdict).toBe('clean')
    expect(report.tests.every((t) => t.verdict === 'clean')).toBe(true)
  })

  it('does not call growth a leak without full-GC confirmation', () => {
    const report = fileVerdict(
      { file: 'test/d.test.ts', project: null, state: 'passed', tests, probe: { screen: growing(40_000, 12), screenAt: at12, samples: [], atTest: [], screenMs: 0, testsRun: 12, gcCount: 0, gcMs: 0 } },
      measure,
    )
    expect(report.verdict).toBe('suspect')
    expect(report.reason).toMatch(/young-generation samples only/)
  })

  it('calls growth garbage when full GCs show none', () => {
    const report = fileVerdict(
      {
        file: 'test/f.test.ts',
        project: null,
        state: 'passed',
        tests,
        probe: { screen: growing(40_000, 12), screenAt: at12, samples: [9_000_000, 9_000_400, 8_999_800], atTest: [2, 6, 11], screenMs: 0, testsRun: 12, gcCount: 3, gcMs: 20 },
      },
      measure,
    )
    expect(report.verdict).toBe('clean')
    expect(report.reason).toMatch(/garbage, not retained memory/)
  })

  it('says a file with fewer than 3 tests cannot be measured', () => {
    const report = fileVerdict(
      { file: 'test/e.test.ts', project: null, state: 'passed', tests: tests.slice(0, 2), probe: { screen: [1, 2], screenAt: [0, 1], samples: [], atTest: [], screenMs: 0, testsRun: 2, gcCount: 0, gcMs: 0 } },
      measure,
    )
    expect(report.verdict).toBe('unknown')
    expect(report.reason).toMatch(/fewer than 3 tests/)
  })
})
