import { LRUCache } from 'lru-cache'
import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'

export interface JSONStringifyCacheOptions {
  /**
   * Most UTF-16 bytes of cached text (2 per character) kept, least recently used dropped first. Default
   * 8 MiB. A text larger than this is returned but not kept. The cache holds its keys strongly: up to
   * this much text and the objects it was made from stay alive until evicted (or `clear()`).
   */
  maxBytes?: number
  /**
   * How a cached text is kept from going stale when its object changes. Default `true`: the object and
   * everything reachable from it are frozen (Object.freeze) when first cached, so a later write throws
   * a TypeError (in strict code; sloppy code's write is ignored) instead of leaving a stale text. `false`:
   * nothing is frozen; each hit compares the object's own top-level keys and values with those seen when
   * it was cached and re-stringifies on any difference — a change further down is NOT seen (call
   * `delete(value)` after one).
   */
  freeze?: boolean
}

export interface JSONStringifyCacheStats {
  hits: number
  misses: number
  /** Hits found stale by the top-level comparison (`freeze: false`) and stringified again. */
  stale: number
  /** Values not cached: not freezable (a typed array inside) or text over `maxBytes`. */
  uncached: number
  entries: number
  bytes: number
}

interface Entry {
  json: string
  /** `freeze: false` only: own keys and their values when cached. */
  keys: string[] | undefined
  values: unknown[] | undefined
}

const OWNER = 'JSONStringifyCache'
const OPTION_KEYS: Record<keyof JSONStringifyCacheOptions, true> = { maxBytes: true, freeze: true }
const OPTION_NAMES = Object.keys(OPTION_KEYS)

/**
 * JSON.stringify results kept per object identity (not per content: two equal objects are two entries),
 * for a service that sends the same object many times (a config, a cached response body).
 *
 * When a cached text can be stale — differ from what JSON.stringify would give now:
 * - `freeze: true` (default): never through writes to the object graph, which are refused. Still stale if
 *   the text depends on state freezing does not cover: a `Date` inside changed with `setTime`/`setX`
 *   (its time is an internal slot), a getter or `toJSON` that reads other state.
 * - `freeze: false`: additionally, after any change below the top level (`value.user.name = …`).
 * Call `delete(value)` after such a change.
 */
export class JSONStringifyCache {
  readonly #freeze: boolean
  readonly #maxBytes: number
  readonly #cache: LRUCache<object, Entry>
  #hits = 0
  #misses = 0
  #stale = 0
  #uncached = 0

  constructor(options?: JSONStringifyCacheOptions) {
    const opts = checkOptionsObject(OWNER, options) as JSONStringifyCacheOptions
    checkKnownKeys(OWNER, opts, OPTION_NAMES)
    this.#maxBytes = checkOption(OWNER, 'maxBytes', opts.maxBytes ?? 8 * 1024 * 1024, is.positiveInteger, 'an integer number of bytes ≥ 1')
    this.#freeze = checkOption(OWNER, 'freeze', opts.freeze ?? true, (v) => typeof v === 'boolean', 'true or false')
    this.#cache = new LRUCache<object, Entry>({
      maxSize: this.#maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.json.length * 2),
    })
  }

  /** JSON.stringify(value), from the cache when `value` (an object or array) was stringified before. */
  stringify(value: unknown): string | undefined {
    if (value === null || typeof value !== 'object') return JSON.stringify(value)
    const entry = this.#cache.get(value)
    if (entry !== undefined) {
      if (entry.keys === undefined || sameTopLevel(value, entry.keys, entry.values!)) {
        this.#hits++
        return entry.json
      }
      this.#stale++
    } else {
      this.#misses++
    }
    const json = JSON.stringify(value)
    if (json === undefined || json.length * 2 > this.#maxBytes) {
      this.#uncached++
      return json
    }
    if (this.#freeze) {
      if (!deepFreeze(value)) {
        this.#uncached++
        return json
      }
      this.#cache.set(value, { json, keys: undefined, values: undefined })
    } else {
      const keys = Object.keys(value)
      this.#cache.set(value, { json, keys, values: keys.map((k) => (value as Record<string, unknown>)[k]) })
    }
    return json
  }

  /** Forgets `value`'s text; the next `stringify(value)` makes it again. Returns whether it was cached. */
  delete(value: object): boolean {
    return this.#cache.delete(value)
  }

  clear(): void {
    this.#cache.clear()
  }

  stats(): JSONStringifyCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      stale: this.#stale,
      uncached: this.#uncached,
      entries: this.#cache.size,
      bytes: this.#cache.calculatedSize,
    }
  }
}

function sameTopLevel(value: object, keys: string[], values: unknown[]): boolean {
  const record = value as Record<string, unknown>
  let count = 0
  // for…in walks inherited enumerable keys too; JSON.stringify ignores those, so skip them likewise.
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    if (keys[count] !== key || values[count] !== record[key]) return false
    count++
  }
  return count === keys.length
}

/**
 * Freezes `root` and every object reachable through own enumerable properties. False, with nothing
 * frozen, when some object cannot be frozen: a typed array with elements throws on Object.freeze.
 */
function deepFreeze(root: object): boolean {
  const seen = new Set<object>([root])
  const stack: object[] = [root]
  while (stack.length > 0) {
    const current = stack.pop()!
    if (ArrayBuffer.isView(current)) return false
    for (const key of Object.keys(current)) {
      const child = (current as Record<string, unknown>)[key]
      if (child !== null && typeof child === 'object' && !seen.has(child)) {
        seen.add(child)
        stack.push(child)
      }
    }
  }
  for (const object of seen) Object.freeze(object)
  return true
}

const shared = new JSONStringifyCache()

/**
 * JSON.stringify(value) through one process-wide `JSONStringifyCache` with its defaults (8 MiB, freeze):
 * an object or array passed here is frozen, so a later write to it throws instead of leaving a stale
 * text. See `JSONStringifyCache` for when a text can still be stale, and for a cache of your own.
 */
export function cachedJSONStringify(value: unknown): string | undefined {
  return shared.stringify(value)
}
