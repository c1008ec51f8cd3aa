import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { MemoryBoundedCache } from './MemoryBoundedCache.js'

const MB = 1024 * 1024

/** A cache on hand-fed memory readings (`memory.used` of a 100 MB budget) and a hand-driven clock. */
function cacheUnderMemory(maxBytes: number) {
  const memory = { used: 0, ms: 0 }
  const cache = new MemoryBoundedCache<string, string>({
    maxBytes,
    sizeOf: (value) => value.length,
    readMemory: () => ({ usedBytes: memory.used, budgetBytes: 100 * MB }),
    now: () => memory.ms,
  })
  return { cache, memory }
}

describe('MemoryBoundedCache', () => {
  it('gets, sets, has, deletes and clears, counting hits, misses, entries and bytes', () => {
    const cache = new MemoryBoundedCache<string, string>({ maxBytes: 1000, sizeOf: (v) => v.length })
    cache.set('a', 'xxxx').set('b', 'yy')
    expect([cache.get('a'), cache.get('zz'), cache.has('b'), cache.size, cache.bytes]).toEqual([
      'xxxx',
      undefined,
      true,
      2,
      6,
    ])
    expect(cache.delete('b')).toBe(true)
    expect(cache.has('b')).toBe(false)
    expect(cache.stats()).toEqual({
      hits: 1,
      misses: 1,
      entries: 1,
      bytes: 4,
      evictions: { size: 0, pressure: 0, ttl: 0 },
    })
    cache.clear()
    expect([cache.size, cache.bytes]).toEqual([0, 0])
  })

  it('evicts least recently used entries past maxBytes and counts them as size evictions', () => {
    const cache = new MemoryBoundedCache<string, string>({ maxBytes: 10, sizeOf: (v) => v.length, pressure: false })
    cache.set('a', 'aaaa').set('b', 'bbbb')
    cache.get('a') // b is now the least recently used
    cache.set('c', 'cccc')
    expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.bytes]).toEqual([true, false, true, 8])
    cache.set('huge', 'h'.repeat(11)) // larger than maxBytes: not stored
    expect(cache.has('huge')).toBe(false)
    expect(cache.stats().evictions).toEqual({ size: 1, pressure: 0, ttl: 0 })
  })

  it('estimates sizes by default: 2 bytes per string character plus a header, objects walked', () => {
    const cache = new MemoryBoundedCache<string, object | string>({ maxBytes: 10 * MB })
    cache.set('s', 'x'.repeat(100))
    expect(cache.bytes).toBe(216)
    cache.set('o', { id: 1, name: 'abc', tags: ['a'] })
    // object 16 + 3 slots, 'abc' 22, array 16 + slot, 'a' 18
    expect(cache.bytes).toBe(216 + 16 + 24 + 22 + 16 + 8 + 18)
  })

  it('forgets an entry after ttlMs and counts a ttl eviction', async () => {
    const cache = new MemoryBoundedCache<string, string>({ maxBytes: 100, sizeOf: (v) => v.length, ttlMs: 20 })
    cache.set('a', 'x')
    expect(cache.get('a')).toBe('x')
    await sleep(60)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.stats().evictions.ttl).toBe(1)
  })

  it('under memory pressure evicts one batch of least recently used entries, scaled by how far over the mark', () => {
    const { cache, memory } = cacheUnderMemory(100 * MB)
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, 'x'.repeat(1000))
    memory.used = 85 * MB // just over the high mark: 5%
    expect(cache.checkMemory()).toBe(5)
    expect([cache.size, cache.has('k4'), cache.has('k5')]).toEqual([95, false, true])
    memory.used = 30 * MB // under the low mark: over
    cache.checkMemory()
    for (let i = 100; i < 200; i++) cache.set(`k${i}`, 'x'.repeat(1000))
    memory.used = 100 * MB // at the budget: 30%
    expect(cache.checkMemory()).toBe(Math.ceil(195 * 0.3))
    expect(cache.stats().evictions).toEqual({ size: 0, pressure: 5 + 59, ttl: 0 })
  })

  it('does not grow back while memory stays over the low mark, and does not thrash on one stale reading', () => {
    const { cache, memory } = cacheUnderMemory(100 * MB)
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, 'x'.repeat(1000))
    memory.used = 90 * MB
    cache.checkMemory()
    const held = cache.bytes
    expect(cache.checkMemory()).toBe(0) // same reading: the freed memory is not collected yet
    for (let i = 100; i < 150; i++) cache.set(`k${i}`, 'x'.repeat(1000))
    expect(cache.bytes).toBeLessThanOrEqual(held)
    expect(cache.has('k149')).toBe(true)
    memory.used = 60 * MB
    cache.checkMemory()
    for (let i = 150; i < 200; i++) cache.set(`k${i}`, 'x'.repeat(1000))
    expect(cache.bytes).toBeGreaterThan(held)
  })

  it('reads memory every 1024 sets or 1/32 of maxBytes written, not on every set', () => {
    let reads = 0
    const cache = new MemoryBoundedCache<number, string>({
      maxBytes: 32_000,
      sizeOf: (v) => v.length,
      readMemory: () => {
        reads++
        return { usedBytes: 0, budgetBytes: 1e9 }
      },
    })
    for (let i = 0; i < 2048; i++) cache.set(i % 10, 'x')
    expect(reads).toBe(2)
    for (let i = 0; i < 10; i++) cache.set(100 + i, 'y'.repeat(1000))
    expect(reads).toBe(12)
  })

  it('checks its options and what sizeOf returns', () => {
    expect(() => new MemoryBoundedCache({ maxBytes: 0 })).toThrow(
      new RangeError('MemoryBoundedCache: maxBytes must be an integer number of bytes ≥ 1; got 0.'),
    )
    expect(() => new MemoryBoundedCache({ maxBytes: 1, ttl: 5 } as never)).toThrow('did you mean "ttlMs"?')
    expect(() => new MemoryBoundedCache({ maxBytes: 1, pressure: { highWatermark: 2 } })).toThrow(
      'pressure.highWatermark',
    )
    const cache = new MemoryBoundedCache<string, string>({ maxBytes: 100, sizeOf: () => 0.5 })
    expect(() => cache.set('a', 'b')).toThrow(
      'MemoryBoundedCache: sizeOf must return an integer number of bytes ≥ 1; got 0.5 for key a.',
    )
  })
})
