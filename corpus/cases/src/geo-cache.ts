import { numbers } from './payload.js'

// A real LRU: a Map in recency order, oldest evicted once capacity is reached.
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>()

  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key)
    if (value === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, value)
    return value
  }

  set(key: string, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
  }

  get size(): number {
    return this.entries.size
  }
}

export const GEO_CACHE_CAPACITY = 48
const geoCache = new BoundedCache<number[]>(GEO_CACHE_CAPACITY)
let lookups = 0

// Every lookup is for a new address (a request counter is part of it), so the cache fills to
// capacity within three 16-lookup batches and then only replaces entries.
export function geocodeBatch(count: number): number {
  for (let i = 0; i < count; i++) {
    const address = `street ${lookups++}`
    if (geoCache.get(address) === undefined) geoCache.set(address, numbers(250, i))
  }
  return geoCache.size
}

export function geoCacheSize(): number {
  return geoCache.size
}
