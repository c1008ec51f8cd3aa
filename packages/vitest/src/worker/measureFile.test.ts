import { describe, expect, it } from 'vitest'
import { type MeasureProbes, MeasuredFile } from './measureFile.js'
import { cheapSamplePlan } from '../shared/measureRules.js'

const KB = 1024
const BAR = 8 * KB

/**
 * Runs `tests` tests through a file whose memory grows `bytesPerTest` per test (after a primer step), with
 * probes that read that memory; `fullAffordable` says whether full GCs fit the budget.
 */
function runFile(
  tests: number,
  bytesPerTest: number,
  options: { fullAffordable?: boolean; fullBytesPerTest?: number; majorGcAt?: number } = {},
) {
  let live = 50_000_000
  const fullGcsAt: number[] = []
  let current = -1
  const probes: MeasureProbes = {
    cheapSample: () => ({ bytes: live, gcMs: 1, collections: 1 }),
    fullSample: () => {
      fullGcsAt.push(current)
      return 40_000_000 + current * (options.fullBytesPerTest ?? bytesPerTest)
    },
    affordable: () => options.fullAffordable ?? true,
  }
  const file = new MeasuredFile(tests, BAR)
  const sampledAt: number[] = []
  for (current = 0; current < tests; current++) {
    // the primer's step (what importing the file left, promoted by the next GC), then the tests' growth
    live += current === 1 ? 600 * KB : bytesPerTest
    // V8's own major GC frees promoted garbage: the old generation falls by 2 MB
    if (current === options.majorGcAt) live -= 2048 * KB
    const index = file.testFinished()
    if (index !== undefined) {
      sampledAt.push(index)
      file.sampleAfter(index, probes)
    }
  }
  return { meta: file.meta, sampledAt, fullGcsAt }
}

describe('MeasuredFile', () => {
  it('counts every test and samples a clean file only at the planned points, with young GCs', () => {
    const { meta, sampledAt, fullGcsAt } = runFile(20, 1 * KB)
    expect(meta.testsRun).toBe(20)
    expect(sampledAt).toEqual([...cheapSamplePlan(20)])
    expect(meta.screenAt).toEqual(sampledAt)
    expect(meta.youngGcCount).toBe(sampledAt.length)
    expect(meta.youngGcMs).toBe(sampledAt.length)
    expect(fullGcsAt).toEqual([])
    expect(meta.confirming).toBeUndefined()
  })

  it('confirms steady growth with full GCs at once, halfway to the end and after the last test', () => {
    const { meta, fullGcsAt } = runFile(20, 40 * KB)
    expect(meta.confirming).toBe(true)
    // the screen fires at the fourth cheap reading (a primer and three), test 11 of 0..19
    const firedAt = [...cheapSamplePlan(20)][3]!
    expect(fullGcsAt).toEqual([firedAt, Math.round((firedAt + 19) / 2), 19])
    expect(meta.atTest).toEqual(fullGcsAt)
    expect(meta.samples).toHaveLength(3)
    // no cheap readings once full GCs took over
    expect(meta.screen).toHaveLength(4)
  })

  it('takes more cheap samples after a major GC made the readings fall, two steps past it, and still sees the rise', () => {
    // 16 tests: readings after tests 0 (the primer), 3, 6, 9, 12; V8's major GC during test 8
    const { meta, sampledAt, fullGcsAt } = runFile(16, 40 * KB, { majorGcAt: 8 })
    expect(sampledAt.slice(0, 6)).toEqual([0, 3, 6, 9, 12, 14])
    expect(meta.confirming).toBe(true)
    expect(fullGcsAt[0]).toBe(14)
    // a clean file whose readings fell takes the extra samples too, and stays unconfirmed
    const clean = runFile(16, 1 * KB, { majorGcAt: 8 })
    expect(clean.sampledAt).toEqual([0, 3, 6, 9, 12, 14])
    expect(clean.meta.confirming).toBeUndefined()
  })

  it('stops spending full GCs when a full-GC step is below the bar', () => {
    const { meta, fullGcsAt } = runFile(20, 40 * KB, { fullBytesPerTest: 1 * KB })
    expect(meta.confirming).toBe(true)
    expect(fullGcsAt).toHaveLength(2)
  })

  it('takes no full GC beyond the budget', () => {
    const { meta, fullGcsAt } = runFile(20, 40 * KB, { fullAffordable: false })
    expect(meta.confirming).toBe(true)
    expect(fullGcsAt).toEqual([])
    expect(meta.samples).toEqual([])
  })

  it('says how many cheap samples it plans, for the budget to decide before the file runs', () => {
    expect(new MeasuredFile(20, BAR).plannedSamples).toBe(cheapSamplePlan(20).size)
    expect(new MeasuredFile(20, BAR).plannedSamples).toBe(5)
    expect(new MeasuredFile(4, BAR).plannedSamples).toBe(0)
  })

  it('samples nothing in a file too short to measure', () => {
    const { meta, sampledAt } = runFile(4, 40 * KB)
    expect(sampledAt).toEqual([])
    expect(meta.testsRun).toBe(4)
  })
})
