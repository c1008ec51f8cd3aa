/**
 * A bounded least-recently-used cache: once `maxEntries` is reached, every insert evicts
 * the entry that was read or written longest ago, so memory stays flat however long it runs.
 */
export class LruCache<Key, Value> {
  // A Map iterates in insertion order; re-inserting on access keeps the oldest entry first.
  readonly #entries = new Map<Key, Value>()

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`)
    }
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: Key): Value | undefined {
    if (!this.#entries.has(key)) return undefined
    const value = this.#entries.get(key) as Value
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  has(key: Key): boolean {
    return this.#entries.has(key)
  }

  set(key: Key, value: Value): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as Key
      this.#entries.delete(oldest)
    }
  }

  delete(key: Key): boolean {
    return this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }

  /** Keys from least to most recently used. */
  keys(): Key[] {
    return [...this.#entries.keys()]
  }
}
