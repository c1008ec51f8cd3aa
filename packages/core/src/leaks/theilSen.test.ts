import { describe, expect, it } from 'vitest'
import { theilSenSlope } from './theilSen.js'

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

describe('theilSenSlope', () => {
  it('recovers an exact line with a zero-width interval', () => {
    const x = range(10)
    expect(
      theilSenSlope(
        x,
        x.map((xi) => 3 * xi + 7),
      ),
    ).toEqual({ slope: 3, intercept: 7, low: 3, high: 3 })
  })

  it('ignores a single huge outlier', () => {
    const x = range(11)
    const y = x.map((xi) => 3 * xi + 7)
    y[5] = 1e9
    const fit = theilSenSlope(x, y)
    expect(fit.slope).toBe(3)
    expect(fit.intercept).toBe(7)
  })

  it('takes the median of the pairwise slopes, averaging the middle two for an even count', () => {
    // Pairwise slopes: 1, 2.5, 2, 4, 2.5, 1 → sorted 1, 1, 2, 2.5, 2.5, 4 → median 2.25.
    expect(theilSenSlope([0, 1, 2, 3], [0, 1, 5, 6]).slope).toBe(2.25)
  })

  it('uses positions, so unevenly spaced samples give per-unit slopes', () => {
    expect(theilSenSlope([0, 3, 6, 9, 12], [0, 30, 60, 90, 120]).slope).toBe(10)
  })

  it('spans the smallest to the largest pairwise slope for five distinct samples (Sen: C ≈ 8 of 10 slopes)', () => {
    // Pairwise slopes sorted: 1, 1, 1.5, 2, 2, 2, 2.33, 2.5, 2.5, 4.
    expect(theilSenSlope([0, 1, 2, 3, 4], [0, 2, 3, 7, 8])).toMatchObject({ slope: 2, low: 1, high: 4 })
  })

  it('narrows the interval when tied values shrink the Mann–Kendall variance', () => {
    // Same slopes' range as above would be 0..4, but ties cut C below 8 so the bounds move inward.
    const fit = theilSenSlope([0, 1, 2, 3, 4], [0, 2, 2, 6, 6])
    expect(fit.low).toBe(0)
    expect(fit.high).toBeCloseTo(3.5061, 4)
  })

  it('narrows its interval as samples accumulate', () => {
    const noisy = (n: number): number[] => range(n).map((i) => 100 * i + ((i * 7919) % 13) * 10)
    const short = theilSenSlope(range(10), noisy(10))
    const long = theilSenSlope(range(40), noisy(40))
    expect(long.high - long.low).toBeLessThan(short.high - short.low)
    expect(short.low).toBeLessThanOrEqual(short.slope)
    expect(short.high).toBeGreaterThanOrEqual(short.slope)
  })

  it('rejects x and y of different lengths', () => {
    expect(() => theilSenSlope([0, 1, 2], [1, 2])).toThrow('x has 3 values but y has 2')
  })

  it('rejects series without two distinct positions', () => {
    expect(() => theilSenSlope([1, 1], [1, 2])).toThrow('at least two samples at different x')
  })
})
