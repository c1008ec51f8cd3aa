import { MemoryBoundedCache } from '@qtests/core'
import { beforeAll, describe, expect, it } from 'vitest'

const MiB = 1024 * 1024
const maxBytes = 2 * MiB
// Text to cut entries from: latin1 decoding copies into flat strings of exactly the length asked for.
const source = Buffer.alloc(64 * 1024, 'abcdefghijklmnopqrstuvwxyz')

/** Writes 10× maxBytes of 64 B–64 KB entries through a new cache; returns what it saw. */
function soak() {
  const cache = new MemoryBoundedCache<string, string>({ maxBytes })
  let written = 0
  let writes = 0
  let most = 0
  for (let i = 0; written < 10 * maxBytes; i++) {
    // Sizes an order of magnitude apart, in turn.
    const length = 64 * 2 ** (i % 11)
    cache.set(`entry-${i}`, source.toString('latin1', 0, length))
    written += 16 + 2 * length
    writes++
    most = Math.max(most, cache.bytes)
  }
  return { cache, writes, most }
}

// The first runs of a code path allocate compiled code and feedback that V8 keeps (measured here:
// 15 KB, then 1.7 KB per run over the first 20, then nothing); warm up so hunt mode judges the steady state.
beforeAll(() => {
  for (let i = 0; i < 30; i++) soak()
})

describe('MemoryBoundedCache soak', () => {
  it('stays within maxBytes while 10× its size of mixed-size entries is written through it', () => {
    const { cache, writes, most } = soak()
    const { entries, evictions } = cache.stats()
    expect(most).toBeLessThanOrEqual(maxBytes)
    // Every write is accounted for: still cached, or evicted for size or memory pressure.
    expect(entries + evictions.size + evictions.pressure).toBe(writes)
    expect(evictions.size + evictions.pressure).toBeGreaterThan(0)
    cache.clear()
    expect(cache.bytes).toBe(0)
  })
})
