import { describe, expect, it } from 'vitest'
import { createStartLog, isIdle, msUntilNextStart, recordStart, windowRule } from './window.js'

function startWhenAllowed(limit: number, burst: number, intervalMs: number, count: number, paced = false): number[] {
  const rule = windowRule(limit, burst, intervalMs)
  const log = createStartLog(rule.cap)
  const starts: number[] = []
  let nowMs = 0
  while (starts.length < count) {
    nowMs += msUntilNextStart(log, rule, nowMs, paced)
    recordStart(log, rule, nowMs)
    starts.push(Math.round(nowMs * 1000) / 1000)
  }
  return starts
}

describe('windowRule', () => {
  it('derives cap, spacing and tolerance from limit, burst and intervalMs', () => {
    expect(windowRule(4, 2, 1000)).toEqual({ cap: 6, windowMs: 1000, emissionMs: 250, toleranceMs: 1250 })
    expect(windowRule(4, 0, 1000, 50).windowMs).toBe(1050)
  })
})

describe('msUntilNextStart', () => {
  it('lets `limit` jobs start at once, then waits for the oldest to leave the window', () => {
    expect(startWhenAllowed(3, 0, 1000, 7)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000])
  })

  it('spends the burst at once, then pays it back: the next window gets only `limit`', () => {
    // cap 5, spacing 333.333 ms: 5 at t=0; at t=1000 the bucket holds 3 tokens; then one per 333 ms.
    expect(startWhenAllowed(3, 2, 1000, 10)).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1333.333, 1666.667])
  })

  it('spaces every start emissionMs apart when paced', () => {
    expect(startWhenAllowed(4, 0, 1000, 5, true)).toEqual([0, 250, 500, 750, 1000])
  })
})

describe('isIdle', () => {
  it('is true once the newest start has left the window and the bucket is full again', () => {
    const rule = windowRule(2, 0, 1000)
    const log = createStartLog(rule.cap)
    expect(isIdle(log, rule, 0)).toBe(true)
    recordStart(log, rule, 0)
    recordStart(log, rule, 100)
    expect(isIdle(log, rule, 1099)).toBe(false)
    expect(isIdle(log, rule, 1100)).toBe(true)
  })
})

describe('StartLog ring', () => {
  it('grows from 16 slots up to cap and keeps the oldest start first', () => {
    const rule = windowRule(40, 0, 1000)
    const log = createStartLog(rule.cap)
    expect(log.times.length).toBe(16)
    for (let t = 0; t < 40; t++) recordStart(log, rule, t)
    expect(log.times.length).toBe(40)
    expect(msUntilNextStart(log, rule, 40, false)).toBe(960)
    recordStart(log, rule, 1000)
    expect(msUntilNextStart(log, rule, 1000, false)).toBe(1)
  })
})
