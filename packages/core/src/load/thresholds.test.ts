import { describe, expect, it } from 'vitest'
import { checkThresholds } from './thresholds.js'

const measured = {
  requests: 10_000,
  errors: 123,
  rps: 812.34,
  latencyMs: { p50: 4.2, p90: 30.1, p99: 73.43, max: 210 },
}

describe('checkThresholds', () => {
  it('names each missed threshold with the measured value, in a fixed order', () => {
    const misses = checkThresholds(measured, { p99Ms: 50, errorRate: 0.001, minRps: 1000, p50Ms: 5 })
    expect(misses.map((miss) => miss.message)).toEqual([
      'p99 latency 73.4 ms exceeds the threshold p99Ms: 50',
      'error rate 0.0123 (123 of 10000 requests) exceeds the threshold errorRate: 0.001',
      'throughput 812.3 req/s is below the threshold minRps: 1000',
    ])
    expect(misses[0]).toEqual({
      threshold: 'p99Ms',
      limit: 50,
      measured: 73.43,
      message: 'p99 latency 73.4 ms exceeds the threshold p99Ms: 50',
    })
  })

  it('passes values equal to their limit, and a run without requests has no error rate', () => {
    expect(checkThresholds(measured, { p90Ms: 30.1, maxMs: 210, minRps: 812.34, errorRate: 0.0123 })).toEqual([])
    expect(checkThresholds({ ...measured, requests: 0, errors: 0 }, { errorRate: 0 })).toEqual([])
  })
})
