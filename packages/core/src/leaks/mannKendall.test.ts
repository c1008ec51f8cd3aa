import { describe, expect, it } from 'vitest'
import { kendallVariance, mannKendall } from './mannKendall.js'
import { normalCdf } from './normal.js'

/** Every ordering of 0..n-1, to count the exact null distribution of S by brute force. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]]
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  )
}

describe('mannKendall', () => {
  it('counts concordant minus discordant pairs as S', () => {
    expect(mannKendall([1, 3, 2, 5, 4]).s).toBe(6)
    expect(mannKendall([5, 4, 3, 2, 1]).s).toBe(-10)
    expect(mannKendall([2, 2, 2]).s).toBe(0)
  })

  it('gives the exact p = 1/120 for five strictly increasing samples', () => {
    expect(mannKendall([10, 20, 30, 40, 50]).p).toBeCloseTo(1 / 120, 12)
  })

  it('uses the exact permutation distribution for n ≤ 10 without ties', () => {
    const series = [3, 1, 4, 6, 2, 5]
    const observed = mannKendall(series).s
    const all = permutations(6)
    const atLeastAsLarge = all.filter((p) => mannKendall(p).s >= observed).length
    expect(mannKendall(series).p).toBeCloseTo(atLeastAsLarge / all.length, 12)
  })

  it('uses the continuity-corrected normal approximation above 10 samples', () => {
    const series = Array.from({ length: 12 }, (_, i) => i)
    const result = mannKendall(series)
    const variance = (12 * 11 * 29) / 18
    expect(result.s).toBe(66)
    expect(result.z).toBeCloseTo(65 / Math.sqrt(variance), 12)
    expect(result.p).toBeCloseTo(normalCdf(-65 / Math.sqrt(variance)), 15)
  })

  it('uses the normal approximation when there are ties, even for few samples', () => {
    const series = [1, 1, 2, 3, 4]
    const result = mannKendall(series)
    expect(result.s).toBe(9)
    expect(result.p).toBeCloseTo(normalCdf(-8 / Math.sqrt(kendallVariance(series))), 15)
  })

  it('reports p = 1 for a strictly decreasing series', () => {
    expect(mannKendall([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]).p).toBe(1)
  })

  it('reports z = 0 and p = 0.5 when every value is tied', () => {
    expect(mannKendall([4, 4, 4, 4])).toEqual({ s: 0, z: 0, p: 0.5 })
  })
})

describe('kendallVariance', () => {
  it('is n(n-1)(2n+5)/18 without ties', () => {
    expect(kendallVariance([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBeCloseTo(125, 12)
  })

  it('subtracts t(t-1)(2t+5) for each group of t tied values', () => {
    expect(kendallVariance([1, 1, 2])).toBeCloseTo((3 * 2 * 11 - 2 * 1 * 9) / 18, 12)
    expect(kendallVariance([7, 7, 7, 1, 1])).toBeCloseTo((5 * 4 * 15 - 3 * 2 * 11 - 2 * 1 * 9) / 18, 12)
  })
})
