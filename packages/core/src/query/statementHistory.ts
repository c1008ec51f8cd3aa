/** Latency percentiles and timeouts of one statement over its recent runs. */
export interface StatementStats {
  /** Runs recorded, ever (percentiles cover the most recent ones only). */
  runs: number
  timeouts: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
}

/**
 * The last `size` run times of one statement in a ring. A run cancelled by its timeout is recorded at
 * the timeout — a lower bound of what it would have taken — so the percentiles, and with them the next
 * timeout, rise after a timeout. Pure: the guard passes the measured times.
 */
export class StatementHistory {
  readonly #ring: Float64Array
  #next = 0
  #runs = 0
  #timeouts = 0

  constructor(size: number) {
    this.#ring = new Float64Array(size)
  }

  record(durationMs: number, timedOut: boolean): void {
    this.#ring[this.#next] = durationMs
    this.#next = (this.#next + 1) % this.#ring.length
    this.#runs++
    if (timedOut) this.#timeouts++
  }

  /** Runs held in the ring (at most its size). */
  get samples(): number {
    return Math.min(this.#runs, this.#ring.length)
  }

  stats(): StatementStats {
    const sorted = this.#ring.slice(0, this.samples).sort()
    const at = (q: number) =>
      sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
    return { runs: this.#runs, timeouts: this.#timeouts, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) }
  }
}
