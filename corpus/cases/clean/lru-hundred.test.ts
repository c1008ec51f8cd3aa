import { describe, expect, it } from 'vitest'
import { AVATAR_CACHE_CAPACITY, decodeAvatar } from '../src/avatar-cache.js'

// An LRU with room for 100 entries of 10 KB, one new entry per test run: for 24 runs it looks like a
// 10 KB leak; a hundred runs later it has stopped growing. Bounded, so not a leak.
const users = Array.from({ length: 12 }, (_, i) => `user ${i + 1}`)

describe('lru-hundred', () => {
  it('decodes a new avatar into the cache', () => {
    expect(decodeAvatar()).toBeLessThanOrEqual(AVATAR_CACHE_CAPACITY)
  })

  it('knows its capacity', () => {
    expect(AVATAR_CACHE_CAPACITY).toBe(100)
  })

  it.each(users)('decodes the avatar of %s', () => {
    expect(decodeAvatar()).toBeGreaterThan(0)
  })
})
