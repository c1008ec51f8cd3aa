import { MemoryBoundedCache } from '@qtests/core'
import { describe, expect, it } from 'vitest'

const MiB = 1024 * 1024
// Text to cut entries from: latin1 decoding copies into flat strings of exactly the length asked for.
const source = Buffer.alloc(64 * 1024, 'abcdefghijklmnopqrstuvwxyz')

describe('MemoryBoundedCache soak', () => {
  it('stays within maxBytes while 10× its size of mixed-size entries is written through it', () => {
    const maxBytes = 2 * MiB
    const cache = new MemoryBoundedCache<string, string>({ maxBytes })
    let written = 0
    let writes = 0
    let most = 0
    for (let i = 0; written < 10 * maxBytes; i++) {
      // 64 B to 64 KB, cycling through sizes an order of magnitude apart.
      const length = 64 * 2 ** (i % 11)
      const value = source.toString('latin1', 0, length)
      cache.set(`entry-${i}`, value)
      written += 16 + 2 * length
      writes++
      most = Math.max(most, cache.bytes)
    }
    const { entries, evictions } = cache.stats()
    expect(most).toBeLessThanOrEqual(maxBytes)
    // Every write is accounted for: still cached, or evicted for size or memory pressure.
    expect(entries + evictions.size + evictions.pressure).toBe(writes)
    expect(evictions.size + evictions.pressure).toBeGreaterThan(0)
    cache.clear()
    expect(cache.bytes).toBe(0)
  })
})
