/** What the pool knows of one resource when it ranks resources for eviction. */
export interface ResourceRecordView {
  createdAtMs: number
  /** When it was last released (or created); the time it has sat idle since. */
  idleSinceMs: number
  /** Failures seen while it was in use (`use` callbacks that threw, `release(r, error)`). */
  errors: number
  /** Failed validation or was reported broken: it must go, whatever else. */
  broken: boolean
}

export interface ScoreLimits {
  maxAgeMs: number
  idleTimeoutMs: number
}

/**
 * Eviction score: higher goes first. Broken resources score Infinity. Otherwise each error adds 1, and
 * age and idle time add their share of `maxAgeMs` and `idleTimeoutMs` (0 when the limit is Infinity),
 * so a resource that failed once outranks one merely at half its age, and an old idle one outranks a
 * young busy one. Pure: the pool passes the clock.
 */
export function evictionScore(record: ResourceRecordView, nowMs: number, limits: ScoreLimits): number {
  if (record.broken) return Number.POSITIVE_INFINITY
  const age = Number.isFinite(limits.maxAgeMs) ? (nowMs - record.createdAtMs) / limits.maxAgeMs : 0
  const idle = Number.isFinite(limits.idleTimeoutMs) ? (nowMs - record.idleSinceMs) / limits.idleTimeoutMs : 0
  return record.errors + age + idle
}

/**
 * Delay before create attempt `failures + 1` after `failures` consecutive failures, ms: `initialMs`
 * doubling per failure up to `maxMs`. No jitter: one pool retries one create at a time.
 */
export function createBackoffMs(failures: number, initialMs: number, maxMs: number): number {
  if (failures <= 0) return 0
  return Math.min(maxMs, initialMs * 2 ** (failures - 1))
}
