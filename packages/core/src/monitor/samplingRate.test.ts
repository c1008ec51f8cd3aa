import { describe, expect, it } from 'vitest'
import { resolveSamplingBounds, SamplingRateController, samplingIntervals } from './samplingRate.js'

const bounds = (sampling?: unknown, intervalMs?: number) =>
  resolveSamplingBounds('PerformanceMonitor', intervalMs, sampling, 250)

describe('resolveSamplingBounds', () => {
  it('defaults to 250 ms at full rate, no faster, and 40% (625 ms) at the slowest', () => {
    expect(bounds()).toEqual({ baseIntervalMs: 250, minIntervalMs: 250, maxIntervalMs: 625 })
  })

  it('takes intervalMs and sampling.baseIntervalMs as the same interval, and refuses two different values', () => {
    expect(bounds(undefined, 100)).toEqual({ baseIntervalMs: 100, minIntervalMs: 100, maxIntervalMs: 250 })
    expect(bounds({ baseIntervalMs: 100 })).toEqual(bounds(undefined, 100))
    expect(() => bounds({ baseIntervalMs: 100 }, 200)).toThrow(
      'PerformanceMonitor: intervalMs (200) and sampling.baseIntervalMs (100) name the same interval; give one of them.',
    )
  })

  it('refuses bounds that do not hold the base interval, non-numbers and unknown keys', () => {
    expect(() => bounds({ maxIntervalMs: 100 })).toThrow(
      'sampling.maxIntervalMs must be at least the base interval (250 ms); got 100.',
    )
    expect(() => bounds({ minIntervalMs: 300 })).toThrow(
      'sampling.minIntervalMs must not exceed the base interval (250 ms); got 300.',
    )
    expect(() => bounds({ minIntervalMs: '100' })).toThrow(
      'sampling.minIntervalMs must be a finite number of ms ≥ 1; got "100".',
    )
    expect(() => bounds({ maxIntervalMS: 1000 })).toThrow(
      'unknown option "sampling.maxIntervalMS" (did you mean "sampling.maxIntervalMs"?)',
    )
    expect(() => bounds(null)).toThrow('PerformanceMonitor: sampling must be an object or undefined; got null.')
  })
})

describe('samplingIntervals', () => {
  it('steps 100 → 80 → 60 → 40% of the base rate by default', () => {
    expect(samplingIntervals(bounds())).toEqual([250, 312.5, 250 / 0.6, 625])
  })

  it('goes down to the lowest rate maxIntervalMs allows, ending on it when it is off the 20-point grid', () => {
    expect(samplingIntervals(bounds({ maxIntervalMs: 1000 }))).toEqual([250, 312.5, 250 / 0.6, 625, 1000])
    expect(samplingIntervals(bounds({ maxIntervalMs: 2500 }))).toEqual([250, 312.5, 250 / 0.6, 625, 1250, 2500])
    expect(samplingIntervals(bounds({ maxIntervalMs: 250 }))).toEqual([250])
  })
})

describe('SamplingRateController', () => {
  it('steps the rate down after two busy intervals in a row, to 40% and no lower', () => {
    const rate = new SamplingRateController(bounds())
    const rates = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9].map((load) => {
      rate.record(load)
      return rate.rate
    })
    expect(rates.map((r) => Math.round(r * 100))).toEqual([100, 80, 80, 60, 60, 40, 40, 40])
  })

  it('recovers one step after three idle intervals in a row, back to 100%', () => {
    const rate = new SamplingRateController(bounds())
    for (let i = 0; i < 6; i++) rate.record(1)
    expect(rate.rate).toBe(0.4)
    const rates: number[] = []
    for (let i = 0; i < 9; i++) {
      rate.record(0.05)
      rates.push(Math.round(rate.rate * 100))
    }
    expect(rates).toEqual([40, 40, 60, 60, 60, 80, 80, 80, 100])
  })

  it('holds the rate for loads between the idle and busy thresholds, and a lone spike or dip changes nothing', () => {
    const rate = new SamplingRateController(bounds())
    for (const load of [0.9, 0.5, 0.9, 0.5, 0.9]) rate.record(load)
    expect(rate.rate).toBe(1)
    for (let i = 0; i < 4; i++) rate.record(1)
    expect(rate.intervalMs).toBe(250 / 0.6)
    for (const load of [0.1, 0.1, 0.5, 0.1, 0.1, 0.9]) rate.record(load)
    expect(rate.intervalMs).toBe(250 / 0.6)
  })

  it('refuses a load that is not a number ≥ 0', () => {
    expect(() => new SamplingRateController(bounds()).record(Number.NaN)).toThrow(
      'load must be a finite number ≥ 0; got NaN.',
    )
  })
})
