import { normalCdf } from './normal.js'

export interface MannKendallResult {
  /** Kendall's S: concordant minus discordant pairs in time order. */
  s: number
  /** Continuity-corrected normal score of S (0 when S = 0 or the variance is 0). */
  z: number
  /** One-sided p-value for an increasing trend. */
  p: number
}

/** Above this many samples (or with ties) the normal approximation is used; below it, it is too coarse. */
const EXACT_MAX_SAMPLES = 10

/**
 * Mann–Kendall test for a monotonic increasing trend.
 *
 * p comes from the normal approximation with continuity correction and tie-corrected variance. For
 * n ≤ 10 without ties the exact permutation distribution is used instead: at n = 5 a perfectly
 * increasing series has exact p = 1/120 ≈ 0.008, but the normal approximation says 0.014, which
 * would make short measure-mode series unable to reach any usual significance level.
 */
export function mannKendall(y: readonly number[]): MannKendallResult {
  const n = y.length
  let s = 0
  for (let i = 0; i < n - 1; i++) {
    const yi = y[i]!
    for (let j = i + 1; j < n; j++) {
      const d = y[j]! - yi
      if (d > 0) s++
      else if (d < 0) s--
    }
  }
  const { variance, hasTies } = kendallVarianceWithTies(y)
  if (variance <= 0) return { s, z: 0, p: 0.5 }
  const sd = Math.sqrt(variance)
  const z = s > 0 ? (s - 1) / sd : s < 0 ? (s + 1) / sd : 0
  const p = !hasTies && n <= EXACT_MAX_SAMPLES ? exactUpperTail(n, s) : normalCdf(-z)
  return { s, z, p }
}

/** Variance of Kendall's S under the null hypothesis, corrected for tied values. */
export function kendallVariance(y: readonly number[]): number {
  return kendallVarianceWithTies(y).variance
}

function kendallVarianceWithTies(y: readonly number[]): { variance: number; hasTies: boolean } {
  const n = y.length
  const sorted = Float64Array.from(y).sort()
  let tieTerm = 0
  let run = 1
  for (let i = 1; i <= n; i++) {
    if (i < n && sorted[i] === sorted[i - 1]) {
      run++
      continue
    }
    if (run > 1) tieTerm += run * (run - 1) * (2 * run + 5)
    run = 1
  }
  return { variance: (n * (n - 1) * (2 * n + 5) - tieTerm) / 18, hasTies: tieTerm > 0 }
}

/** Cumulative counts of permutations of n items by number of inversions (Mahonian numbers), per n. */
const inversionCdfCache = new Map<number, Float64Array>()

/** P(S ≥ s) under the null for n distinct values, from the inversion-count distribution. */
function exactUpperTail(n: number, s: number): number {
  const pairs = (n * (n - 1)) / 2
  // S = pairs - 2 × inversions, so S ≥ s ⇔ inversions ≤ (pairs - s) / 2.
  const maxInversions = Math.floor((pairs - s) / 2)
  if (maxInversions < 0) return 0
  const cdf = inversionCdf(n)
  return cdf[Math.min(maxInversions, pairs)]!
}

function inversionCdf(n: number): Float64Array {
  const cached = inversionCdfCache.get(n)
  if (cached) return cached
  const pairs = (n * (n - 1)) / 2
  let counts = new Float64Array(pairs + 1)
  counts[0] = 1
  // Inserting the k-th item adds 0..k-1 inversions.
  for (let k = 2; k <= n; k++) {
    const next = new Float64Array(pairs + 1)
    for (let inv = 0; inv <= pairs; inv++) {
      const c = counts[inv]!
      if (c === 0) continue
      for (let add = 0; add < k && inv + add <= pairs; add++) next[inv + add] = next[inv + add]! + c
    }
    counts = next
  }
  let total = 0
  for (const c of counts) total += c
  const cdf = new Float64Array(pairs + 1)
  let running = 0
  for (let inv = 0; inv <= pairs; inv++) {
    running += counts[inv]!
    cdf[inv] = running / total
  }
  inversionCdfCache.set(n, cdf)
  return cdf
}
