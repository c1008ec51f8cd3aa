import type { WindowRule } from '../src/rateLimit/window.js'

/** Most start times falling in any half-open window [t, t + windowMs). */
export function maxStartsInWindow(startsMs: readonly number[], windowMs: number): number {
  const sorted = [...startsMs].sort((a, b) => a - b)
  let most = 0
  let first = 0
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}

/**
 * What the limiter promises for any window of spanMs: at most ceil(spanMs / intervalMs) × cap starts
 * (the sliding log), and fewer than 1 + (spanMs + toleranceMs + lateMs) / emissionMs (the GCRA bound),
 * where lateMs is how late a start may follow its grant (cluster mode: leaseMs; locally 0).
 */
export function promisedMaxStarts(rule: WindowRule, intervalMs: number, spanMs: number, lateMs = 0): number {
  const byLog = Math.ceil(spanMs / intervalMs) * rule.cap
  const byRate = Math.ceil(1 + (spanMs + rule.toleranceMs + lateMs) / rule.emissionMs) - 1
  return Math.min(byLog, byRate)
}
