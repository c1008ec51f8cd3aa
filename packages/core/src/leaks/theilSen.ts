import { kendallVariance } from './mannKendall.js'
import { median, valueAtRank } from './median.js'

export interface TheilSenFit {
  /** Median of the pairwise slopes (y units per x unit). */
  slope: number
  /** Median of y - slope × x. */
  intercept: number
  /** Lower bound of the ~95% confidence interval for the slope. */
  low: number
  /** Upper bound of the ~95% confidence interval for the slope. */
  high: number
}

/** Two-sided 95% normal quantile. */
const Z_95 = 1.959963984540054

/**
 * Theil–Sen line: the median of all pairwise slopes, robust to ≈ 29% outliers. The interval is Sen's
 * rank-based one: C = z × √Var(S) with the tie-corrected Mann–Kendall variance, bounds at order
 * statistics (N - C)/2 and (N + C)/2 + 1 of the N pairwise slopes, interpolated. O(n²) time and memory.
 */
export function theilSenSlope(x: readonly number[], y: readonly number[]): TheilSenFit {
  const n = y.length
  if (x.length !== n) {
    throw new RangeError(`theilSenSlope: x has ${x.length} values but y has ${n}; pass one x per y.`)
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new RangeError(`theilSenSlope: sample ${i} is (${x[i]}, ${y[i]}); values must be finite.`)
    }
  }
  const slopes = new Float64Array((n * (n - 1)) / 2)
  let count = 0
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]!
    const yi = y[i]!
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - xi
      if (dx !== 0) slopes[count++] = (y[j]! - yi) / dx
    }
  }
  if (count === 0) {
    throw new RangeError(`theilSenSlope: needs at least two samples at different x; got ${n} sample(s).`)
  }
  const pairwise = slopes.subarray(0, count)
  const slope = valueAtRank(pairwise, (count + 1) / 2)
  const intercept = median(y.map((yi, i) => yi - slope * x[i]!))

  const c = Z_95 * Math.sqrt(kendallVariance(y))
  const low = valueAtRank(pairwise, (count - c) / 2)
  const high = valueAtRank(pairwise, (count + c) / 2 + 1)
  return { slope, intercept, low, high }
}
