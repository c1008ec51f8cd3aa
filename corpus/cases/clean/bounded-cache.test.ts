import { describe, expect, it } from 'vitest'
import { GEO_CACHE_CAPACITY, geocodeBatch, geoCacheSize } from '../src/geo-cache.js'

const regions = Array.from({ length: 12 }, (_, i) => `region-${i + 1}`)

describe('bounded-cache', () => {
  it('geocodes a batch of 16 new addresses', () => {
    const before = geoCacheSize()
    expect(geocodeBatch(16)).toBe(Math.min(before + 16, GEO_CACHE_CAPACITY))
  })

  it('never holds more than its capacity', () => {
    geocodeBatch(GEO_CACHE_CAPACITY * 2)
    expect(geoCacheSize()).toBe(GEO_CACHE_CAPACITY)
  })

  it.each(regions)('geocodes 16 addresses in %s', () => {
    expect(geocodeBatch(16)).toBeLessThanOrEqual(GEO_CACHE_CAPACITY)
  })
})
