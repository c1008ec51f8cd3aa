/**
 * What one key may do, as two rules that hold together:
 * - sliding window: at most `cap` (= limit + burst) starts in any window of `windowMs`;
 * - sustained rate (GCRA, a token bucket of capacity `cap` refilled at limit / intervalMs): one start per
 *   `emissionMs` on average, with `toleranceMs` of credit. This is what makes `burst` borrowed, not free:
 *   a window that used the extra starts is paid back by the next ones.
 */
export interface WindowRule {
  /** limit + burst: most starts in one window. */
  cap: number
  /** Window length the log is checked over, ms (intervalMs; in cluster mode intervalMs + leaseMs). */
  windowMs: number
  /** intervalMs / limit: the steady spacing between starts, ms. */
  emissionMs: number
  /** (cap - 1) × emissionMs: how far ahead of the steady schedule a key may run, ms. */
  toleranceMs: number
}

export function windowRule(limit: number, burst: number, intervalMs: number, leaseMs = 0): WindowRule {
  const emissionMs = intervalMs / limit
  const cap = limit + burst
  return { cap, windowMs: intervalMs + leaseMs, emissionMs, toleranceMs: (cap - 1) * emissionMs }
}

/** Start times of one key: the last `cap` starts (a ring) and the GCRA theoretical arrival time. */
export interface StartLog {
  /**
   * Ring of the last start times, ms; when full, `times[next]` is the oldest. It starts small and doubles
   * up to `cap`, so a huge limit costs memory only for the starts that actually happened.
   */
  times: Float64Array
  next: number
  size: number
  /** GCRA theoretical arrival time, ms: the steady schedule's next slot. */
  tatMs: number
}

const INITIAL_RING = 16

export function createStartLog(cap: number): StartLog {
  return { times: new Float64Array(Math.min(cap, INITIAL_RING)), next: 0, size: 0, tatMs: Number.NEGATIVE_INFINITY }
}

// Float drift in tatMs (sums of emissionMs) must not turn "allowed now" into a 1 ms timer.
const EPSILON_MS = 1e-9

/**
 * Milliseconds until the next start is allowed (0 = now). `paced` drops the GCRA tolerance to 0, so starts
 * are spaced `emissionMs` apart instead of spending the whole window at once (used by prediction).
 */
export function msUntilNextStart(log: StartLog, rule: WindowRule, nowMs: number, paced: boolean): number {
  let waitMs = 0
  if (log.size === rule.cap) waitMs = log.times[log.next]! + rule.windowMs - nowMs
  const bucketWaitMs = log.tatMs - (paced ? 0 : rule.toleranceMs) - nowMs
  if (bucketWaitMs > waitMs) waitMs = bucketWaitMs
  return waitMs > EPSILON_MS ? waitMs : 0
}

/** Records a start at nowMs; call only when msUntilNextStart returned 0. */
export function recordStart(log: StartLog, rule: WindowRule, nowMs: number): void {
  if (log.size === log.times.length && log.size < rule.cap) growRing(log, rule.cap)
  log.times[log.next] = nowMs
  log.next = log.next + 1 === log.times.length ? 0 : log.next + 1
  if (log.size < log.times.length) log.size++
  log.tatMs = Math.max(log.tatMs, nowMs) + rule.emissionMs
}

/** Doubles a full ring (up to cap), oldest first, so `next` lands on the first free slot. */
function growRing(log: StartLog, cap: number): void {
  const old = log.times
  const times = new Float64Array(Math.min(cap, old.length * 2))
  times.set(old.subarray(log.next))
  times.set(old.subarray(0, log.next), old.length - log.next)
  log.times = times
  log.next = old.length
}

/** True when the log no longer constrains anything at nowMs (the key can be forgotten). */
export function isIdle(log: StartLog, rule: WindowRule, nowMs: number): boolean {
  if (log.size === 0) return true
  const newest = log.times[(log.next + log.times.length - 1) % log.times.length]!
  return newest + rule.windowMs <= nowMs && log.tatMs <= nowMs
}
