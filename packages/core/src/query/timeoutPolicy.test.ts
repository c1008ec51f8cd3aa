import { describe, expect, it } from 'vitest'
import { StatementHistory } from './statementHistory.js'
import { scaleTimeoutMs } from './timeoutPolicy.js'

const policy = {
  minTimeoutMs: 100,
  maxTimeoutMs: 10_000,
  msPerCostUnit: 0.05,
  historyMinSamples: 5,
  latencyHeadroom: 3,
}

describe('scaleTimeoutMs', () => {
  it('scales with the planner cost within the bounds, and gives an unknown cost the maximum', () => {
    expect(scaleTimeoutMs(8, undefined, policy)).toBe(100)
    expect(scaleTimeoutMs(20_000, undefined, policy)).toBe(1_100)
    expect(scaleTimeoutMs(1e9, undefined, policy)).toBe(10_000)
    expect(scaleTimeoutMs(null, undefined, policy)).toBe(10_000)
  })

  it('follows the p99 of the statement once it has enough runs, whichever way the planner was wrong', () => {
    const history = new StatementHistory(100)
    for (let i = 0; i < 4; i++) history.record(900, false)
    expect(scaleTimeoutMs(8, history, policy)).toBe(100) // 4 runs: still the cost
    history.record(1_000, false)
    expect(scaleTimeoutMs(8, history, policy)).toBe(3_000) // cheap plan, slow statement: p99 1000 × 3
    const fast = new StatementHistory(100)
    for (let i = 0; i < 5; i++) fast.record(10, false)
    expect(scaleTimeoutMs(1e9, fast, policy)).toBe(100) // expensive plan, fast statement
  })

  it('rises after a timeout, since the cancelled run counts at its timeout', () => {
    const history = new StatementHistory(10)
    for (let i = 0; i < 5; i++) history.record(200, false)
    expect(scaleTimeoutMs(1, history, policy)).toBe(600)
    history.record(600, true)
    expect(scaleTimeoutMs(1, history, policy)).toBe(1_800)
    expect(history.stats()).toMatchObject({ runs: 6, timeouts: 1, p50Ms: 200, p99Ms: 600 })
  })
})

describe('StatementHistory', () => {
  it('keeps the last `size` runs for its percentiles and counts every run', () => {
    const history = new StatementHistory(4)
    for (const ms of [1000, 1, 2, 3, 4]) history.record(ms, false)
    expect(history.samples).toBe(4)
    expect(history.stats()).toEqual({ runs: 5, timeouts: 0, p50Ms: 2, p95Ms: 4, p99Ms: 4 })
  })
})
