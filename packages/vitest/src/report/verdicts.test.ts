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

  it('says a test went unmeasured because the probes failed, with their error', () => {
    const input = huntFile([{ name: 'a > b', state: 'passed' }])
    const probeError = 'sample: ReferenceError: gc is not defined'
    input.probe = { samples: [], atTest: [], screen: [], screenAt: [], testsRun: 1, gcCount: 0, gcMs: 0, youngGcCount: 0, youngGcMs: 0, probeError }
    const report = fileVerdict(input, hunt)
    expect(report.tests[0]!.verdict).toBe('unknown')
    expect(report.tests[0]!.reason).toBe(`probes failed: ${probeError}`)
    expect(report.probe?.error).toBe(probeError)
  })
})

describe('measure verdicts', () => {
  const at12 = Array.from({ length: 12 }, (_, i) => i)
  const tests = Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, state: 'passed' as const }))
  const file = (probe: Partial<FileInput['probe']> & object): FileInput => ({
    file: 'test/b.test.ts',
    project: 'unit',
    state: 'passed',
    tests,
    probe: { screen: [], screenAt: [], samples: [], atTest: [], testsRun: 12, gcCount: 0, gcMs: 0, youngGcCount: 0, youngGcMs: 0, ...probe },
  })

  it('calls a file a leak when full GCs rise between each of them by the floor per test', () => {
    const report = fileVerdict(
      file({ screen: growing(40_000, 4), screenAt: [0, 1, 2, 3], confirming: true, samples: [10_100_000, 10_420_000, 10_740_000], atTest: [3, 7, 11], gcCount: 3 }),
      measure,
    )
    expect(report.verdict).toBe('leak')
    expect(report.growthBytesPerTest).toBe(80_000)
    expect(report.retainedBytes).toBe(640_000)
    expect(report.confidence).toBe(0.938)
    expect(report.tests.every((t) => t.verdict === 'unknown' && t.iterations === 1)).toBe(true)
  })

  it('calls a file clean when the cheap readings never rose steadily, and its tests with it', () => {
    const flat = at12.map((i) => 9_000_000 + (i % 3) * 500)
    const report = fileVerdict(file({ screen: flat, screenAt: at12 }), measure)
    expect(report.verdict).toBe('clean')
    expect(report.tests.every((t) => t.verdict === 'clean')).toBe(true)
  })

  it('calls growth garbage when full GCs show none', () => {
    const report = fileVerdict(
      file({ screen: growing(40_000, 4), screenAt: [0, 1, 2, 3], confirming: true, samples: [9_000_000, 9_000_400, 8_999_800], atTest: [3, 7, 11], gcCount: 3 }),
      measure,
    )
    expect(report.verdict).toBe('clean')
    expect(report.reason).toMatch(/garbage or compiled code, not a leak/)
  })

  it('calls a file clean on two full GCs when the first step stayed under half the floor (the third is not taken)', () => {
    const report = fileVerdict(
      file({ screen: growing(40_000, 4), screenAt: [0, 1, 2, 3], confirming: true, samples: [9_000_000, 9_016_000], atTest: [3, 7], gcCount: 4 }),
      measure,
    )
    expect(report.verdict).toBe('clean')
    expect(report.growthBytesPerTest).toBe(4_000)
    expect(report.reason).toMatch(/2 full GCs show/)
  })

  it('says growth that could not be confirmed is unknown, not a leak', () => {
    const report = fileVerdict(file({ screen: growing(40_000, 12), screenAt: at12, confirming: true, samples: [9_000_000], atTest: [11], gcCount: 1 }), measure)
    expect(report.verdict).toBe('unknown')
    expect(report.reason).toMatch(/too late \(or too costly\) to confirm/)
  })

  it('says a file with fewer than 5 tests cannot be measured', () => {
    const report = fileVerdict({ ...file({ testsRun: 4 }), tests: tests.slice(0, 4) }, measure)
    expect(report.verdict).toBe('unknown')
    expect(report.reason).toMatch(/fewer than 5 tests/)
  })

  it('reads a clean file’s growth per test without the primer', () => {
    // the primer's step is the promotion of what importing the file left in the young generation
    const report = fileVerdict(file({ screen: [9_000_000, 9_900_000, 9_902_000, 9_904_000, 9_906_000], screenAt: [0, 3, 5, 8, 10] }), measure)
    expect(report.verdict).toBe('clean')
    expect(report.growthBytesPerTest).toBeLessThan(1_000)
  })
})
