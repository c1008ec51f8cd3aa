import { LRUCache } from 'lru-cache'
import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'

export interface JSONStringifyCacheOptions {
  /**
   * Most UTF-16 bytes of cached text (2 per character) kept, least recently used dropped first. Default
   * 8 MiB. A text larger than this is returned but not kept. Objects are held weakly: an entry goes when
   * its object is garbage-collected, so the cache never keeps an object alive.
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
  /** The entry's key in the LRU, which holds only a WeakRef to the object. */
  id: number
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
  // Text per object in a WeakMap (no strong reference to the object); recency and the byte bound in an
  // LRU of ids whose slots hold WeakRefs; a FinalizationRegistry drops the slot of a collected object.
  readonly #byObject = new WeakMap<object, Entry>()
  readonly #lru: LRUCache<number, { ref: WeakRef<object>; bytes: number }>
  readonly #collected = new FinalizationRegistry<number>((id) => this.#lru.delete(id))
  #nextId = 0
  #hits = 0
  #misses = 0
  #stale = 0
  #uncached = 0

  constructor(options?: JSONStringifyCacheOptions) {
    const opts = checkOptionsObject(OWNER, options) as JSONStringifyCacheOptions
    checkKnownKeys(OWNER, opts, OPTION_NAMES)
    this.#maxBytes = checkOption(
      OWNER,
      'maxBytes',
      opts.maxBytes ?? 8 * 1024 * 1024,
      is.positiveInteger,
      'an integer number of bytes ≥ 1',
    )
    this.#freeze = checkOption(OWNER, 'freeze', opts.freeze ?? true, (v) => typeof v === 'boolean', 'true or false')
    this.#lru = new LRUCache<number, { ref: WeakRef<object>; bytes: number }>({
      maxSize: this.#maxBytes,
      sizeCalculation: (slot) => slot.bytes,
      dispose: (slot, id) => {
        const object = slot.ref.deref()
        if (object !== undefined && this.#byObject.get(object)?.id === id) {
          this.#byObject.delete(object)
          this.#collected.unregister(object)
        }
      },
    })
  }

  /** JSON.stringify(value), from the cache when `value` (an object or array) was stringified before. */
  stringify(value: unknown): string | undefined {
    if (value === null || typeof value !== 'object') return JSON.stringify(value)
    const entry = this.#byObject.get(value)
    if (entry !== undefined) {
      this.#lru.get(entry.id) // a use: moves it away from eviction
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
      this.#remember(value, json, undefined)
    } else {
      this.#remember(value, json, Object.keys(value))
    }
    return json
  }

  #remember(value: object, json: string, keys: string[] | undefined): void {
    const previous = this.#byObject.get(value)
    if (previous !== undefined) this.#lru.delete(previous.id)
    const id = this.#nextId++
    const values = keys?.map((k) => (value as Record<string, unknown>)[k])
    this.#byObject.set(value, { id, json, keys, values })
    this.#collected.register(value, id, value)
    this.#lru.set(id, { ref: new WeakRef(value), bytes: Math.max(1, json.length * 2) })
  }

  /** Forgets `value`'s text; the next `stringify(value)` makes it again. Returns whether it was cached. */
  delete(value: object): boolean {
    const entry = this.#byObject.get(value)
    return entry === undefined ? false : this.#lru.delete(entry.id)
  }

  clear(): void {
    this.#lru.clear()
  }

  stats(): JSONStringifyCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      stale: this.#stale,
      uncached: this.#uncached,
      entries: this.#lru.size,
      bytes: this.#lru.calculatedSize,
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
 * JSON.stringify(value) through one process-wide `JSONStringifyCache` with its defaults (8 MiB, freeze,
 * objects held weakly): an object or array passed here is frozen, so a later write to it throws instead
 * of leaving a stale text. See `JSONStringifyCache` for when a text can still be stale.
 */
export function cachedJSONStringify(value: unknown): string | undefined {
  return shared.stringify(value)
}
