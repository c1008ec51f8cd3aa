import { checkKnownKeys, checkOption, checkOptionsObject, is } from '../validate/options.js'

export interface PressureOptions {
  /**
   * Memory the process may use before the cache gives entries back, bytes (V8 heap in use plus external
   * memory: Buffers and typed arrays). Default: V8's old-generation limit (`heap_size_limit` less the
   * young generation's 48 MiB), near which the process dies with "JavaScript heap out of memory".
   */
  budgetBytes?: number
  /** Share of the budget at which an eviction batch starts. Default 0.85: room left for a GC to catch up. */
  highWatermark?: number
  /** Share of the budget under which the pressure is over and the cache may grow again. Default highWatermark − 0.15 (0.7). */
  lowWatermark?: number
  /** Share of the entries evicted in a batch just over the high mark. Default 0.05. */
  minEvictFraction?: number
  /** Share evicted at or over the whole budget; in between, in proportion to how far over the mark. Default 0.3. */
  maxEvictFraction?: number
  /**
   * After a batch, how long to wait before the next one when the heap shows neither a GC (it fell by
   * half what was freed) nor further growth (it rose by what was freed), ms. Default 1000.
   */
  cooldownMs?: number
}

export interface ResolvedPressure {
  budgetBytes: number | undefined
  highWatermark: number
  lowWatermark: number
  minEvictFraction: number
  maxEvictFraction: number
  cooldownMs: number
}

const OPTION_KEYS: Record<keyof PressureOptions, true> = {
  budgetBytes: true,
  highWatermark: true,
  lowWatermark: true,
  minEvictFraction: true,
  maxEvictFraction: true,
  cooldownMs: true,
}
const OPTION_NAMES = Object.keys(OPTION_KEYS)

export function resolvePressure(owner: string, options: unknown): ResolvedPressure {
  const opts = checkOptionsObject(owner, options, 'pressure') as PressureOptions
  checkKnownKeys(owner, opts, OPTION_NAMES, 'pressure')
  const check = <V>(name: keyof PressureOptions, value: V, ok: (v: unknown) => boolean, allowed: string) =>
    checkOption(owner, `pressure.${name}`, value, ok, allowed)
  const budgetBytes =
    opts.budgetBytes === undefined
      ? undefined
      : check('budgetBytes', opts.budgetBytes, is.positive, 'a number of bytes > 0')
  const highWatermark = check(
    'highWatermark',
    opts.highWatermark ?? 0.85,
    is.fraction,
    'a share of the budget between 0 and 1',
  )
  const lowWatermark = check(
    'lowWatermark',
    opts.lowWatermark ?? Math.max(highWatermark - 0.15, highWatermark / 2),
    (v) => is.fraction(v) && (v as number) < highWatermark,
    `a share of the budget between 0 and highWatermark (${highWatermark})`,
  )
  const minEvictFraction = check(
    'minEvictFraction',
    opts.minEvictFraction ?? 0.05,
    is.fraction,
    'a share of the entries between 0 and 1',
  )
  const maxEvictFraction = check(
    'maxEvictFraction',
    opts.maxEvictFraction ?? 0.3,
    (v) => is.fraction(v) && (v as number) >= minEvictFraction,
    `a share of the entries from minEvictFraction (${minEvictFraction}) to below 1`,
  )
  const cooldownMs = check('cooldownMs', opts.cooldownMs ?? 1000, is.nonNegative, 'a finite number of ms ≥ 0')
  return { budgetBytes, highWatermark, lowWatermark, minEvictFraction, maxEvictFraction, cooldownMs }
}

/** What the policy says after a reading. */
export interface PressureDecision {
  /** Share of the entries to evict now; 0 for none. */
  evictFraction: number
  /** True while the cache must not grow back (from a batch until the heap falls under the low mark). */
  hold: boolean
}

/**
 * When the cache gives memory back, from readings of the process's memory: pure (no clock, no heap
 * reads of its own), so it can be driven by synthetic readings. Over the high mark it asks for a batch
 * sized by how far over the mark the reading is. Freed memory shows in the reading only after a GC, so
 * a second batch waits for evidence — the reading fell by half of what was freed (a GC ran; still over
 * the mark means more must go), or rose by what was freed (something else keeps growing) — or for
 * `cooldownMs`. That is the hysteresis: no batch after batch on one stale reading.
 */
export class PressurePolicy {
  readonly #options: ResolvedPressure
  #hold = false
  #lastBatchUsed = 0
  #lastBatchFreed = 0
  #lastBatchMs = Number.NEGATIVE_INFINITY

  constructor(options: ResolvedPressure) {
    this.#options = options
  }

  decide(usedBytes: number, budgetBytes: number, nowMs: number): PressureDecision {
    const { highWatermark, lowWatermark, minEvictFraction, maxEvictFraction, cooldownMs } = this.#options
    const share = usedBytes / budgetBytes
    if (share < lowWatermark) {
      this.#hold = false
      this.#lastBatchMs = Number.NEGATIVE_INFINITY
      return { evictFraction: 0, hold: false }
    }
    if (share < highWatermark) return { evictFraction: 0, hold: this.#hold }
    if (this.#hold) {
      const collected = usedBytes <= this.#lastBatchUsed - this.#lastBatchFreed / 2
      const grew = usedBytes >= this.#lastBatchUsed + Math.max(this.#lastBatchFreed, 1)
      if (!collected && !grew && nowMs - this.#lastBatchMs < cooldownMs) return { evictFraction: 0, hold: true }
    }
    const over = Math.min(1, (share - highWatermark) / (1 - highWatermark))
    return { evictFraction: minEvictFraction + (maxEvictFraction - minEvictFraction) * over, hold: true }
  }

  /** Tells the policy a batch ran at this reading and freed about `freedBytes`. */
  evicted(usedBytes: number, freedBytes: number, nowMs: number): void {
    this.#hold = true
    this.#lastBatchUsed = usedBytes
    this.#lastBatchFreed = freedBytes
    this.#lastBatchMs = nowMs
  }
}
