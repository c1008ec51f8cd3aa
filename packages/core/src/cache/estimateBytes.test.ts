import v8 from 'node:v8'
import { describe, expect, it } from 'vitest'
import { fetchGc } from '../../test/gc.js'
import { estimateBytes } from './estimateBytes.js'

describe('estimateBytes', () => {
  it('counts strings at 2 bytes a character, numbers, Buffers, Maps, Sets and shared objects once', () => {
    expect(estimateBytes('abcd')).toBe(24)
    expect(estimateBytes(1)).toBe(8)
    expect(estimateBytes(Buffer.alloc(1000))).toBe(1064)
    const shared = { a: 1 }
    expect(estimateBytes([shared, shared])).toBe(16 + 8 + 8 + (16 + 8))
    expect(estimateBytes(new Map([['k', 1.5]]))).toBe(16 + 24 + 18 + 16)
    expect(estimateBytes(new Set(['ab']))).toBe(16 + 16 + 20)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(estimateBytes(cyclic)).toBe(24)
  })

  it('is within 0.5–2× of what V8 keeps for JSON-like records', () => {
    const gc = fetchGc()
    const make = (i: number) => ({
      id: i,
      name: `user-${i}-${'n'.repeat(20)}`,
      score: i + 0.5,
      tags: ['a', `t${i}`],
      active: true,
    })
    const count = 20_000
    gc()
    gc()
    const before = v8.getHeapStatistics().used_heap_size
    const kept = Array.from({ length: count }, (_, i) => make(i))
    gc()
    gc()
    const measured = (v8.getHeapStatistics().used_heap_size - before) / count
    const estimated = estimateBytes(kept[1])
    expect(kept.length).toBe(count)
    expect(estimated / measured).toBeGreaterThan(0.5)
    expect(estimated / measured).toBeLessThan(2)
  })

  it('stops walking a huge graph and extrapolates', () => {
    const big = Array.from({ length: 50_000 }, (_, i) => ({ i }))
    const estimate = estimateBytes(big)
    expect(estimate).toBeGreaterThan(50_000 * 24 * 0.8)
    expect(estimate).toBeLessThan(50_000 * 40 * 1.2)
  })
})
