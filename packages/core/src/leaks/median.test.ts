import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { median, valueAtRank } from './median.js'

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN()
  })

  it('leaves its input untouched', () => {
    const values = [3, 1, 2]
    median(values)
    expect(values).toEqual([3, 1, 2])
  })
})

describe('valueAtRank', () => {
  it('interpolates between neighbouring order statistics and clamps to the ends', () => {
    const values = () => Float64Array.from([40, 10, 30, 20])
    expect(valueAtRank(values(), 2)).toBe(20)
    expect(valueAtRank(values(), 2.25)).toBe(22.5)
    expect(valueAtRank(values(), 0.3)).toBe(10)
    expect(valueAtRank(values(), 9)).toBe(40)
  })

  it('agrees with sorting for any values and rank', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 200 }),
        (values, rank) => {
          const sorted = [...values].sort((a, b) => a - b)
          expect(valueAtRank(Float64Array.from(values), rank)).toBe(sorted[Math.min(rank, sorted.length) - 1])
        },
      ),
      { numRuns: 500 },
    )
  })
})
