/** One point of the monitor's timeline: what a sample saw, or the merge of neighbouring samples. */
export interface MonitorPoint {
  /** Time since `start()`, ms (the latest sample's time for merged points). */
  atMs: number
  heapUsedBytes: number
  rssBytes: number
  /** This process's CPU time over the interval, as a share of all cores (0..1). */
  cpuShare: number
  /** The longest event-loop stall in the interval, ms. */
  eventLoopDelayMaxMs: number
}

/**
 * A timeline of bounded size covering the whole run: when it is full, neighbouring points are merged in
 * pairs (maxima of memory and stalls, mean CPU), so memory stays fixed however long the monitor runs and the
 * resolution halves instead of the start being dropped.
 */
export class BoundedTimeline {
  readonly #capacity: number
  #points: MonitorPoint[] = []
  /** Samples per point: doubles at each merge. */
  #span = 1
  #pending: MonitorPoint | undefined
  #pendingCount = 0

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2)
      throw new RangeError(`BoundedTimeline: capacity must be an integer ≥ 2; got ${capacity}.`)
    this.#capacity = capacity
  }

  add(point: MonitorPoint): void {
    this.#pending = this.#pending === undefined ? { ...point } : merge(this.#pending, point, this.#pendingCount, 1)
    this.#pendingCount++
    if (this.#pendingCount < this.#span) return
    this.#points.push(this.#pending)
    this.#pending = undefined
    this.#pendingCount = 0
    if (this.#points.length < this.#capacity) return
    const merged: MonitorPoint[] = []
    for (let i = 0; i + 1 < this.#points.length; i += 2)
      merged.push(merge(this.#points[i]!, this.#points[i + 1]!, 1, 1))
    this.#points = merged
    this.#span *= 2
  }

  /** The points so far, oldest first, including a partly filled last one. */
  points(): MonitorPoint[] {
    return this.#pending === undefined ? [...this.#points] : [...this.#points, { ...this.#pending }]
  }
}

function merge(a: MonitorPoint, b: MonitorPoint, weightA: number, weightB: number): MonitorPoint {
  return {
    atMs: b.atMs,
    heapUsedBytes: Math.max(a.heapUsedBytes, b.heapUsedBytes),
    rssBytes: Math.max(a.rssBytes, b.rssBytes),
    cpuShare: (a.cpuShare * weightA + b.cpuShare * weightB) / (weightA + weightB),
    eventLoopDelayMaxMs: Math.max(a.eventLoopDelayMaxMs, b.eventLoopDelayMaxMs),
  }
}
