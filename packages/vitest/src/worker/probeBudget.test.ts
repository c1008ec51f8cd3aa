import { describe, expect, it } from 'vitest'
import { CHEAP_SAMPLE_SHARE } from '../shared/measureRules.js'
import { fullSampleEstimateMs, ProbeBudget } from './probeBudget.js'

const MB = 1024 * 1024

describe('ProbeBudget: cheap samples', () => {
  it('gives a worker’s first file its cheap samples whatever the time, so that a young GC’s cost is known', () => {
    const budget = new ProbeBudget(0.25)
    expect(budget.cheapSamplesFit(5, 1)).toBe(true)
  })

  it('gives a file its cheap samples only while all probe time stays within 3% of the worker’s busy time', () => {
    const budget = new ProbeBudget(0.25)
    for (let i = 0; i < 5; i++) budget.youngGcTaken(2)
    // 10 ms spent + 5 × 2 ms ≤ 3% of 700 ms (21 ms), not of 600 ms (18 ms)
    expect(budget.cheapSamplesFit(5, 700)).toBe(true)
    expect(budget.cheapSamplesFit(5, 600)).toBe(false)
  })

  it('counts full samples against the cheap share too: after a dear confirmation, files wait until the worker’s busy time catches up', () => {
    const budget = new ProbeBudget(0.25)
    budget.youngGcTaken(1)
    budget.fullSampleTaken(240)
    expect(budget.cheapSamplesFit(5, 4_000)).toBe(false)
    expect(budget.cheapSamplesFit(5, 9_000)).toBe(true)
  })

  it('keeps a reused worker’s young GCs near 3% of its busy time (date-fns: 250 files of 20 ms, 1.7 ms per young GC)', () => {
    const budget = new ProbeBudget(0.25)
    let busyMs = 1_000
    let probed = 0
    for (let file = 0; file < 250; file++) {
      if (budget.cheapSamplesFit(5, busyMs)) {
        probed++
        for (let i = 0; i < 5; i++) budget.youngGcTaken(1.7)
        busyMs += 5 * 1.7
      }
      busyMs += 20
    }
    // the old rule sampled every file: 250 × 8.5 ms = 2,125 ms, 35% of the worker's time
    expect(budget.spentMs).toBeLessThanOrEqual(CHEAP_SAMPLE_SHARE * busyMs)
    expect(probed).toBeGreaterThan(10)
    expect(probed).toBeLessThan(30)
  })

  it('needs no budget for a file that plans no samples', () => {
    const budget = new ProbeBudget(0.25)
    budget.youngGcTaken(100)
    expect(budget.cheapSamplesFit(0, 1)).toBe(true)
  })
})

describe('ProbeBudget: full samples', () => {
  it('counts young GCs against the full-GC share', () => {
    const budget = new ProbeBudget(0.25)
    for (let i = 0; i < 100; i++) budget.youngGcTaken(2.4)
    // 240 ms of young GCs + a 20 ms full sample > 25% of 1,000 ms; the full GCs alone (none yet) would fit
    expect(budget.fullSampleFits(1_000, 20 * MB)).toBe(false)
    expect(budget.fullSampleFits(1_100, 20 * MB)).toBe(true)
  })

  it('expects a worker’s first full sample to cost what its heap implies, not a fixed few ms', () => {
    expect(fullSampleEstimateMs(41 * MB)).toBe(82)
    const budget = new ProbeBudget(0.25)
    budget.fileStarted()
    budget.fileStarted()
    // a reused worker's 41 MB heap: 82 ms does not fit in 25% of 300 ms (75 ms)
    expect(budget.fullSampleFits(300, 41 * MB)).toBe(false)
    expect(budget.fullSampleFits(300, 10 * MB)).toBe(true)
  })

  it('expects half that in a worker’s first file, whose heap is the modules it just loaded', () => {
    expect(fullSampleEstimateMs(18 * MB, true)).toBe(18)
    const budget = new ProbeBudget(0.25)
    budget.fileStarted()
    budget.youngGcTaken(4.7)
    // zod's suite on Vitest 5: a file’s worker 150 ms old, an 18 MB heap, a settled sample measured at 8–17 ms
    expect(budget.fullSampleFits(150, 18 * MB)).toBe(true)
    budget.fileStarted()
    expect(budget.fullSampleFits(150, 18 * MB)).toBe(false)
  })

  it('expects the next full sample to cost what the last one did, both GCs counted', () => {
    const budget = new ProbeBudget(0.25)
    budget.fullSampleTaken(240)
    // 240 + 240 ≤ 0.25 × 1,920; the heap's estimate no longer counts
    expect(budget.fullSampleFits(1_920, 1)).toBe(true)
    expect(budget.fullSampleFits(1_900, 1)).toBe(false)
  })

  it('allows no full GC with a budget of 0', () => {
    expect(new ProbeBudget(0).fullSampleFits(60_000, 1)).toBe(false)
  })
})
