import { LRUCache } from 'lru-cache'
import { processMemoryReader } from '../memory/processMemory.js'
import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'
import { estimateBytes } from './estimateBytes.js'
import { type PressureOptions, PressurePolicy, type ResolvedPressure, resolvePressure } from './pressurePolicy.js'

export interface MemoryBoundedCacheOptions<K, V> {
  /** Most bytes the entries may take (by `sizeOf`); least recently used entries go first past it. Required. */
  maxBytes: number
  /**
   * Bytes one entry keeps alive. Default `estimateBytes(value)`: strings at 2 bytes per character (an
   * upper bound), objects walked (header, slots, what they hold). Pass your own when you know better
   * (e.g. `(v) => v.byteLength` for Buffers). Must return an integer ≥ 1.
   */
  sizeOf?: (value: V, key: K) => number
  /** An entry older than this is gone (a `get` misses and counts a ttl eviction), ms. Default: no expiry. */
  ttlMs?: number
  /**
   * Give entries back when the process's memory passes a mark, whatever `maxBytes` allows: `false`
   * turns it off. Default on, against V8's heap limit (see `PressureOptions`).
   */
  pressure?: PressureOptions | false
  /** Process memory in bytes, for tests. Default V8's `used_heap_size + external_memory` (≈ 1 µs a read). */
  readMemory?: () => { usedBytes: number; budgetBytes: number }
  /** Clock in ms for the pressure cooldown. Default `performance.now`. */
  now?: () => number
}

export interface MemoryBoundedCacheStats {
  hits: number
  misses: number
  entries: number
  bytes: number
  /** Entries removed by the cache itself, by reason: `maxBytes`, memory pressure, `ttlMs`. */
  evictions: { size: number; pressure: number; ttl: number }
}

const OWNER = 'MemoryBoundedCache'
const OPTION_KEYS: Record<keyof MemoryBoundedCacheOptions<unknown, unknown>, true> = {
  maxBytes: true,
  sizeOf: true,
  ttlMs: true,
  pressure: true,
  readMemory: true,
  now: true,
}
const OPTION_NAMES = Object.keys(OPTION_KEYS)
/** Memory is read every this many sets, or after sets adding 1/32 of maxBytes or of the budget (the smaller). */
const CHECK_EVERY_SETS = 1024
const CHECK_EVERY_SHARE = 1 / 32
/**
 * An LRU cache bounded in bytes (lru-cache's `maxSize` with `sizeOf` as its `sizeCalculation`) that also
 * gives memory back when the process runs short: past a high watermark of the heap budget it evicts
 * 5–30% of its least recently used entries in one batch, and does not grow back until memory is under
 * the low watermark (see `PressurePolicy`). Memory is read while entries are written — no timer runs.
 */
export class MemoryBoundedCache<K extends {}, V extends {}> {
  readonly #lru: LRUCache<K, V>
  readonly #maxBytes: number
  readonly #policy: PressurePolicy | undefined
  readonly #readMemory: () => { usedBytes: number; budgetBytes: number }
  readonly #now: () => number
  #hits = 0
  #misses = 0
  #sizeEvictions = 0
  #pressureEvictions = 0
  #ttlEvictions = 0
  #evictingForPressure = false
  #setsSinceCheck = 0
  #bytesAtCheck = 0
  #checkEveryBytes: number
  /** While memory is short: the bytes the cache may hold (below maxBytes); undefined otherwise. */
  #holdBytes: number | undefined

  constructor(options: MemoryBoundedCacheOptions<K, V>) {
    const opts = checkOptionsObject(OWNER, options)
    checkKnownKeys(OWNER, opts, OPTION_NAMES)
    if (options === undefined) throw new RangeError(`${OWNER}: options with maxBytes are required; got undefined.`)
    this.#maxBytes = checkOption(
      OWNER,
      'maxBytes',
      options.maxBytes,
      is.positiveInteger,
      'an integer number of bytes ≥ 1',
    )
    const sizeOf = checkOption(
      OWNER,
      'sizeOf',
      options.sizeOf ?? estimateBytes,
      is.function,
      'a function returning bytes',
    )
    const ttlMs =
      options.ttlMs === undefined
        ? 0
        : checkOption(OWNER, 'ttlMs', options.ttlMs, is.positive, 'a finite number of ms > 0')
    this.#now = checkOption(
      OWNER,
      'now',
      options.now ?? (() => performance.now()),
      is.function,
      'a function returning ms',
    )
    let pressure: ResolvedPressure | undefined
    if (options.pressure !== false) pressure = resolvePressure(OWNER, options.pressure)
    this.#policy = pressure === undefined ? undefined : new PressurePolicy(pressure)
    this.#readMemory = checkOption(
      OWNER,
      'readMemory',
      options.readMemory ?? processMemoryReader(pressure?.budgetBytes),
      is.function,
      'a function',
    )
    this.#checkEveryBytes = Math.max(1, Math.floor(this.#maxBytes * CHECK_EVERY_SHARE))
    this.#lru = new LRUCache<K, V>({
      maxSize: this.#maxBytes,
      sizeCalculation: (value, key) => {
        const bytes = sizeOf(value, key)
        if (!Number.isInteger(bytes) || bytes < 1) {
          throw new RangeError(
            `${OWNER}: sizeOf must return an integer number of bytes ≥ 1; got ${String(bytes)} for key ${String(key)}.`,
          )
        }
        return bytes
      },
      ...(ttlMs > 0 ? { ttl: ttlMs } : {}),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') {
          if (this.#evictingForPressure) this.#pressureEvictions++
          else this.#sizeEvictions++
        } else if (reason === 'expire') this.#ttlEvictions++
      },
    })
  }

  get(key: K): V | undefined {
    const value = this.#lru.get(key)
    if (value === undefined) this.#misses++
    else this.#hits++
    return value
  }

  /** Stores `value`; an entry larger than `maxBytes` is not stored (and an older value under `key` is dropped). */
  set(key: K, value: V): this {
    this.#lru.set(key, value)
    if (this.#policy !== undefined) {
      const bytes = this.#lru.calculatedSize
      if (this.#holdBytes !== undefined && bytes > this.#holdBytes) this.#evictDownTo(this.#holdBytes)
      if (++this.#setsSinceCheck >= CHECK_EVERY_SETS || bytes - this.#bytesAtCheck >= this.#checkEveryBytes)
        this.checkMemory()
    }
    return this
  }

  /** Whether `key` holds a live entry; does not count as a use (no recency change, no hit). */
  has(key: K): boolean {
    return this.#lru.has(key)
  }

  delete(key: K): boolean {
    return this.#lru.delete(key)
  }

  clear(): void {
    this.#lru.clear()
    this.#holdBytes = undefined
  }

  /** Live entries (expired ones still count until something reads or evicts them). */
  get size(): number {
    return this.#lru.size
  }

  /** Sum of `sizeOf` over the entries. */
  get bytes(): number {
    return this.#lru.calculatedSize
  }

  stats(): MemoryBoundedCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#lru.size,
      bytes: this.#lru.calculatedSize,
      evictions: { size: this.#sizeEvictions, pressure: this.#pressureEvictions, ttl: this.#ttlEvictions },
    }
  }

  /**
   * Reads process memory now and evicts a batch if the pressure policy asks for one. `set` calls it every
   * 1024 sets or 1/32 of maxBytes (or of the budget, if smaller) written; call it yourself when memory may have grown elsewhere.
   * Returns the number of entries evicted.
   */
  checkMemory(): number {
    if (this.#policy === undefined) return 0
    this.#setsSinceCheck = 0
    this.#bytesAtCheck = this.#lru.calculatedSize
    const { usedBytes, budgetBytes } = this.#readMemory()
    this.#checkEveryBytes = Math.max(1, Math.floor(Math.min(this.#maxBytes, budgetBytes) * CHECK_EVERY_SHARE))
    const nowMs = this.#now()
    const decision = this.#policy.decide(usedBytes, budgetBytes, nowMs)
    if (!decision.hold) this.#holdBytes = undefined
    if (decision.evictFraction === 0) return 0
    const before = this.#lru.calculatedSize
    const count = Math.ceil(this.#lru.size * decision.evictFraction)
    this.#evictingForPressure = true
    try {
      for (let i = 0; i < count; i++) this.#lru.pop()
    } finally {
      this.#evictingForPressure = false
    }
    this.#holdBytes = this.#lru.calculatedSize
    this.#bytesAtCheck = this.#holdBytes
    this.#policy.evicted(usedBytes, before - this.#holdBytes, nowMs)
    return count
  }

  #evictDownTo(bytes: number): void {
    this.#evictingForPressure = true
    try {
      while (this.#lru.calculatedSize > bytes && this.#lru.size > 0) this.#lru.pop()
    } finally {
      this.#evictingForPressure = false
    }
  }
}
