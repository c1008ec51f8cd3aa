/** Limits a load test must meet; each is optional. Latencies in ms, `errorRate` a share (0..1), `minRps` requests per second. */
export interface LoadThresholds {
  p50Ms?: number
  p90Ms?: number
  p99Ms?: number
  maxMs?: number
  errorRate?: number
  minRps?: number
}

/** One threshold the run missed: which, its limit, what was measured, and a sentence saying so. */
export interface ThresholdMiss {
  threshold: keyof LoadThresholds
  limit: number
  measured: number
  message: string
}

/** What the thresholds are checked against (a subset of the load test's result). */
export interface MeasuredLoad {
  requests: number
  errors: number
  rps: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
}

export const THRESHOLD_NAMES: readonly (keyof LoadThresholds)[] = [
  'p50Ms',
  'p90Ms',
  'p99Ms',
  'maxMs',
  'errorRate',
  'minRps',
]

const LATENCY: Record<'p50Ms' | 'p90Ms' | 'p99Ms' | 'maxMs', { key: 'p50' | 'p90' | 'p99' | 'max'; label: string }> = {
  p50Ms: { key: 'p50', label: 'p50 latency' },
  p90Ms: { key: 'p90', label: 'p90 latency' },
  p99Ms: { key: 'p99', label: 'p99 latency' },
  maxMs: { key: 'max', label: 'max latency' },
}

/** The thresholds `measured` misses, in the order of THRESHOLD_NAMES; empty when all hold. */
export function checkThresholds(measured: MeasuredLoad, thresholds: LoadThresholds): ThresholdMiss[] {
  const misses: ThresholdMiss[] = []
  for (const name of THRESHOLD_NAMES) {
    const limit = thresholds[name]
    if (limit === undefined) continue
    if (name === 'errorRate') {
      const rate = measured.requests === 0 ? 0 : measured.errors / measured.requests
      if (rate > limit) {
        const message = `error rate ${round(rate, 4)} (${measured.errors} of ${measured.requests} requests) exceeds the threshold errorRate: ${limit}`
        misses.push({ threshold: name, limit, measured: rate, message })
      }
    } else if (name === 'minRps') {
      if (measured.rps < limit) {
        misses.push({
          threshold: name,
          limit,
          measured: measured.rps,
          message: `throughput ${round(measured.rps, 1)} req/s is below the threshold minRps: ${limit}`,
        })
      }
    } else {
      const { key, label } = LATENCY[name]
      const value = measured.latencyMs[key]
      if (value > limit)
        misses.push({
          threshold: name,
          limit,
          measured: value,
          message: `${label} ${round(value, 1)} ms exceeds the threshold ${name}: ${limit}`,
        })
    }
  }
  return misses
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
