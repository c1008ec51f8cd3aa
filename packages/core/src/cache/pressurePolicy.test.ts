import { describe, expect, it } from 'vitest'
import { PressurePolicy, resolvePressure } from './pressurePolicy.js'

const MB = 1024 * 1024
const policy = (options: object = {}) => new PressurePolicy(resolvePressure('test', options))

describe('PressurePolicy', () => {
  it('evicts nothing under the high mark, 5% just over it and 30% at the whole budget, in proportion between', () => {
    const p = () => policy({ cooldownMs: 0 })
    expect(p().decide(84 * MB, 100 * MB, 0)).toEqual({ evictFraction: 0, hold: false })
    expect(p().decide(85 * MB, 100 * MB, 0).evictFraction).toBeCloseTo(0.05, 10)
    expect(p().decide(92.5 * MB, 100 * MB, 0).evictFraction).toBeCloseTo(0.175, 10)
    expect(p().decide(100 * MB, 100 * MB, 0).evictFraction).toBeCloseTo(0.3, 10)
    expect(p().decide(150 * MB, 100 * MB, 0).evictFraction).toBeCloseTo(0.3, 10)
  })

  it('does not evict again on a reading that shows no GC since the last batch (hysteresis)', () => {
    const p = policy()
    expect(p.decide(90 * MB, 100 * MB, 0).evictFraction).toBeGreaterThan(0)
    p.evicted(90 * MB, 10 * MB, 0)
    // Freed memory is still garbage until a GC: the same reading must not trigger a second batch.
    expect(p.decide(90 * MB, 100 * MB, 10)).toEqual({ evictFraction: 0, hold: true })
    expect(p.decide(88 * MB, 100 * MB, 20)).toEqual({ evictFraction: 0, hold: true })
    // A GC ran (the reading fell by half of what was freed) and memory is still over the mark: evict more.
    expect(p.decide(85 * MB, 100 * MB, 30).evictFraction).toBeCloseTo(0.05, 10)
  })

  it('evicts again when memory grew by what was freed, or after the cooldown', () => {
    const grew = policy()
    grew.evicted(86 * MB, 4 * MB, 0)
    expect(grew.decide(90 * MB, 100 * MB, 1).evictFraction).toBeGreaterThan(0)
    const waited = policy({ cooldownMs: 1000 })
    waited.evicted(86 * MB, 4 * MB, 0)
    expect(waited.decide(87 * MB, 100 * MB, 999).evictFraction).toBe(0)
    expect(waited.decide(87 * MB, 100 * MB, 1000).evictFraction).toBeGreaterThan(0)
  })

  it('holds the cache from growing back between the marks and releases it under the low mark', () => {
    const p = policy()
    p.evicted(90 * MB, 5 * MB, 0)
    expect(p.decide(75 * MB, 100 * MB, 5000)).toEqual({ evictFraction: 0, hold: true })
    expect(p.decide(69 * MB, 100 * MB, 5001)).toEqual({ evictFraction: 0, hold: false })
    expect(p.decide(75 * MB, 100 * MB, 5002)).toEqual({ evictFraction: 0, hold: false })
  })

  it('checks its options, naming them under pressure.', () => {
    expect(() => resolvePressure('MemoryBoundedCache', { highWatermark: 1.2 })).toThrow(
      'MemoryBoundedCache: pressure.highWatermark must be a share of the budget between 0 and 1; got 1.2.',
    )
    expect(() => resolvePressure('MemoryBoundedCache', { highWatermark: 0.6, lowWatermark: 0.7 })).toThrow(
      'MemoryBoundedCache: pressure.lowWatermark must be a share of the budget between 0 and highWatermark (0.6); got 0.7.',
    )
    expect(() => resolvePressure('MemoryBoundedCache', { budgetByte: 1 })).toThrow(
      'MemoryBoundedCache: unknown option "pressure.budgetByte" (did you mean "pressure.budgetBytes"?)',
    )
  })
})
