import { describe, expect, it } from 'vitest'
import {
  cheapSamplePlan,
  confirmationOrder,
  confirmationPlan,
  confirmBudgetFor,
  confirmTimeLimitMs,
  fullStepSettles,
  grewAsWhenCleared,
  grewAsWhenRepeatsFailed,
  risingSteadily,
  samplesAfterFall,
  spread,
  nextRunConfirmsMore,
  unreachedReason,
} from './measureRules.js'

const KB = 1024
const at = [0, 3, 5, 8, 10]
/** cheap readings from per-test steps (bytes per test between consecutive sample points); the first step is the primer's */
function series(stepsPerTest: number[]): number[] {
  const bytes = [10_000_000]
  for (const [i, step] of stepsPerTest.entries()) bytes.push(bytes[i]! + step * (at[i + 1]! - at[i]!))
  return bytes
}

describe('samplesAfterFall', () => {
  const plan = new Set([0, 3, 6, 9, 12])
  /** readings that rise, then fall at the last one */
  const fallingAt = (count: number) => [
    ...Array.from({ length: count - 1 }, (_, i) => 10_000_000 + i * 100_000),
    9_000_000,
  ]
  it('adds samples before the last test until two readings follow the fall', () => {
    expect(samplesAfterFall(fallingAt(4), 9, 16, plan)).toEqual([14])
    expect(samplesAfterFall(fallingAt(5), 12, 16, plan)).toEqual([13, 14])
  })

  it('adds none while two planned readings are still to come, or where no test is left', () => {
    expect(samplesAfterFall(fallingAt(3), 6, 16, plan)).toEqual([])
    expect(samplesAfterFall(fallingAt(6), 14, 16, new Set([0, 3, 6, 9, 12, 14]))).toEqual([])
    expect(samplesAfterFall(fallingAt(4), 3, 5, new Set([0, 1, 2, 3]))).toEqual([])
  })

  it("adds none when the readings did not fall, or fell only in the primer's step", () => {
    expect(samplesAfterFall([10_000_000, 10_100_000, 10_200_000, 10_300_000], 9, 16, plan)).toEqual([])
    expect(samplesAfterFall([10_000_000, 9_000_000], 3, 16, plan)).toEqual([])
  })
})

describe('risingSteadily', () => {
  const floorHalf = 8 * KB

  it('needs a primer and three readings', () => {
    expect(risingSteadily(series([90 * KB, 40 * KB]), at, floorHalf)).toBe(false)
    expect(risingSteadily(series([90 * KB, 40 * KB, 40 * KB]), at, floorHalf)).toBe(true)
  })

  it('never reads the primer’s step', () => {
    // a leak's readings, whatever the primer did
    expect(risingSteadily(series([-400 * KB, 21 * KB, 11 * KB]), at, floorHalf)).toBe(true)
    // a clean file after a large first promotion
    expect(risingSteadily(series([700 * KB, 3 * KB, 2 * KB]), at, floorHalf)).toBe(false)
  })

  it('calls leaks at the floor rising, their steps swinging with the sample late promotion', () => {
    // the corpus' global-registry (≈ 15.5 KB per test) and a 20 KB leak, as their readings saw them
    expect(risingSteadily(series([90 * KB, 16.9 * KB, 12.4 * KB]), at, floorHalf)).toBe(true)
    expect(risingSteadily(series([100 * KB, 21 * KB, 11.1 * KB, 25.1 * KB]), at, floorHalf)).toBe(true)
  })

  it('asks each step for a third of the floor', () => {
    // an async clean file: Vitest's and the promises' bookkeeping, promoted
    expect(risingSteadily(series([-390 * KB, 10.9 * KB, 4.8 * KB]), at, floorHalf)).toBe(false)
    // a cache filling in one batch
    expect(risingSteadily(series([80 * KB, 33 * KB, 1.3 * KB]), at, floorHalf)).toBe(false)
  })

  it('asks the pair to reach the bar on average', () => {
    expect(risingSteadily(series([80 * KB, 6 * KB, 6 * KB]), at, floorHalf)).toBe(false)
  })

  it('does not call one busy test’s promoted garbage rising, but a steady rise with jumps', () => {
    expect(risingSteadily(series([80 * KB, 6 * KB, 300 * KB]), at, floorHalf)).toBe(false)
    expect(risingSteadily(series([80 * KB, 64 * KB, 40 * KB]), at, floorHalf)).toBe(true)
  })

  it('calls a jump beside a step at the floor rising: a leak on a loaded machine, a GC promoting early', () => {
    // 40 KB-per-test leaks, as their readings saw them while three other processes kept both CPUs busy
    expect(risingSteadily(series([150 * KB, 48 * KB, 196 * KB]), at, floorHalf)).toBe(true)
    expect(risingSteadily(series([560 * KB, 283 * KB, 40 * KB]), at, floorHalf)).toBe(true)
    // a step just under the floor beside a jump is still one busy test's garbage
    expect(risingSteadily(series([80 * KB, 15 * KB, 300 * KB]), at, floorHalf)).toBe(false)
  })

  it('looks at the last two steps only', () => {
    expect(risingSteadily(series([80 * KB, 20 * KB, 20 * KB, 1 * KB]), at, floorHalf)).toBe(false)
    expect(risingSteadily(series([80 * KB, 1 * KB, 20 * KB, 20 * KB]), at, floorHalf)).toBe(true)
  })
})

describe('cheapSamplePlan', () => {
  it('samples after the first test, not after the last', () => {
    expect([...cheapSamplePlan(14)]).toEqual([0, 3, 5, 8, 10])
    expect([...cheapSamplePlan(40)]).toEqual([0, 8, 16, 23, 31])
  })

  it('needs a primer and three readings before the last test', () => {
    expect([...cheapSamplePlan(5)]).toEqual([0, 1, 2, 3])
    expect(cheapSamplePlan(4).size).toBe(0)
    expect(cheapSamplePlan(0).size).toBe(0)
  })
})

describe('spread', () => {
  it('includes the first and the last test', () => {
    expect([...spread(14, 6)]).toEqual([0, 3, 5, 8, 10, 13])
  })

  it('takes every test when there are fewer than asked for', () => {
    expect([...spread(3, 6)]).toEqual([0, 1, 2])
    expect([...spread(1, 6)]).toEqual([0])
  })
})

describe('full-GC confirmation', () => {
  it('is planned halfway to the last test and after it', () => {
    expect([...confirmationPlan(3, 6)]).toEqual([4, 5])
    expect([...confirmationPlan(10, 40)]).toEqual([25, 39])
  })

  it('is settled by a step under the bar, not by a leak’s step', () => {
    const bar = 8 * KB
    expect(fullStepSettles([1_000_000], [3], bar)).toBe(false)
    expect(fullStepSettles([1_000_000, 1_000_000 + 40 * KB], [3, 4], bar)).toBe(false)
    expect(fullStepSettles([1_000_000, 1_000_000 + 10 * KB], [3, 5], bar)).toBe(true)
  })
})

describe('confirmationOrder', () => {
  it('confirms the cheapest files first: a test costs a GC per run besides its own time', () => {
    const files = [
      { name: 'object', tests: 75, durationMs: 400 },
      { name: 'locale', tests: 5, durationMs: 30 },
      { name: 'slow', tests: 2, durationMs: 3_000 },
      { name: 'string', tests: 50, durationMs: 200 },
    ]
    expect(confirmationOrder(files).map((file) => file.name)).toEqual(['locale', 'string', 'object', 'slow'])
    expect(files[0]!.name).toBe('object')
  })
})

describe('unreachedReason', () => {
  it('says why the repeat run did not reach a file', () => {
    expect(unreachedReason({ ended: 'it was interrupted' }, true)).toBe(
      'the repeat run ended before this file: it was interrupted',
    )
  })

  it('says nothing while the repeat run has not ended', () => {
    expect(unreachedReason({}, true)).toBeUndefined()
  })

  it('points to the next run when time ran out and the next run confirms more', () => {
    expect(unreachedReason({ ended: 'it ran out of its 95 s', timedOut: true }, true)).toBe(
      'the repeat run ended before this file: it ran out of its 95 s (the next run skips the files this one cleared or confirmed, and confirms more)',
    )
    expect(unreachedReason({ ended: 'it ran out of its 95 s', timedOut: true }, false)).toBe(
      'the repeat run ended before this file: it ran out of its 95 s',
    )
  })

  it('gives the reason as it is when there was no repeat run', () => {
    const ended = "no repeat run: leaks.confirmBudget 0 of your run's 3.2 s leaves no time after your run"
    expect(unreachedReason({ ended, notStarted: true, timedOut: false }, true)).toBe(ended)
  })
})

describe('grewAsWhenRepeatsFailed', () => {
  it('allows a quarter more than then plus half the bar, where a cleared file gets half the bar only', () => {
    expect(grewAsWhenRepeatsFailed(326 * 1024, 316 * 1024, 16384)).toBe(true)
    expect(grewAsWhenCleared(326 * 1024, 316 * 1024, 16384)).toBe(false)
    expect(grewAsWhenRepeatsFailed(100_000 * 1.25 + 8192, 100_000, 16384)).toBe(true)
    expect(grewAsWhenRepeatsFailed(100_000 * 1.25 + 8193, 100_000, 16384)).toBe(false)
  })
})

describe('confirmTimeLimitMs', () => {
  it('gives confirmation twice the run, and a minute and a half to a short run', () => {
    expect(confirmTimeLimitMs(120_000)).toBe(240_000)
    expect(confirmTimeLimitMs(30_000)).toBe(90_000)
  })

  it("gives it the user's share of the run when leaks.confirmBudget is set, with no floor", () => {
    expect(confirmTimeLimitMs(47_400, 0.05)).toBe(2370)
    expect(confirmTimeLimitMs(30_000, 0)).toBe(0)
    expect(confirmTimeLimitMs(30_000, 4)).toBe(120_000)
  })
})

describe('confirmBudgetFor', () => {
  it('confirms nothing in a first run in CI, unless the user set a budget', () => {
    expect(confirmBudgetFor({ set: undefined, ci: true, cached: false })).toEqual({ budget: 0, defaultedInCI: true })
    expect(confirmBudgetFor({ set: 0.5, ci: true, cached: false })).toEqual({ budget: 0.5, defaultedInCI: false })
  })

  it("keeps the default with verdicts cached, or outside CI, and the user's budget everywhere", () => {
    expect(confirmBudgetFor({ set: undefined, ci: true, cached: true })).toEqual({
      budget: undefined,
      defaultedInCI: false,
    })
    expect(confirmBudgetFor({ set: undefined, ci: false, cached: false })).toEqual({
      budget: undefined,
      defaultedInCI: false,
    })
    expect(confirmBudgetFor({ set: 0, ci: false, cached: true })).toEqual({ budget: 0, defaultedInCI: false })
  })
})

describe('nextRunConfirmsMore', () => {
  const ran = { reuseClean: true, watch: false, timedOut: true, settledFiles: 2 }
  it('is true when time ran out after the repeat run settled a growing file (cleared, leaking or failing), and verdicts are kept', () => {
    expect(nextRunConfirmsMore(ran)).toBe(true)
  })

  it('is false when nothing was settled: the next run would confirm the same files first and stop where this one did', () => {
    expect(nextRunConfirmsMore({ ...ran, settledFiles: 0 })).toBe(false)
  })

  it('is false when clean verdicts are not kept, in watch mode, or when time did not run out', () => {
    expect(nextRunConfirmsMore({ ...ran, reuseClean: false })).toBe(false)
    expect(nextRunConfirmsMore({ ...ran, watch: true })).toBe(false)
    expect(nextRunConfirmsMore({ ...ran, timedOut: false })).toBe(false)
  })
})
