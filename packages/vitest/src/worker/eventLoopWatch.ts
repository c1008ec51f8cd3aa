import { PerformanceObserver } from 'node:perf_hooks'
import { clearInterval, setInterval } from 'node:timers'
import { nextMacrotask, now } from './captured.js'

/** How often the watch expects a turn of the event loop, ms: a stall shorter than this is not seen. */
export const WATCH_INTERVAL_MS = 20

/** A file keeps this many of its longest stalls. */
export const KEPT_STALLS = 3

/** What a file's tests did to their worker's event loop and garbage collector. */
export interface FileLoopStats {
  /** the longest the event loop was kept from turning, ms (0 when never past WATCH_INTERVAL_MS) */
  maxDelayMs: number
  /** the test that ran longest in the stall; null when none ran (the file loading, hooks between tests) */
  test: string | null
  /** the file's longest stalls (at most KEPT_STALLS), longest first, each with the test blamed for it */
  stalls: { ms: number; test: string | null }[]
  /** time the garbage collector paused the worker while the file ran, ms, the probes' forced GCs left out */
  gcMs: number
}

/**
 * Stalls of the event loop, found by a timer that should fire every WATCH_INTERVAL_MS: when it fires late, the loop
 * was blocked for the lateness, and the test that ran longest since the last firing is the one that blocked it, for
 * at most as long as it ran (a synchronous test blocks the loop until it ends, so `monitorEventLoopDelay` would
 * record its stall only after the next test started). Pure bookkeeping: the clock and the timer are the caller's.
 */
export class StallTracker<T = string> {
  #lastTurn: number
  #current: { test: T; startedAt: number } | undefined
  /** the test that ran longest since the last turn, and for how long */
  #longest: { test: T; ms: number } | undefined
  /** the others since the last turn that ran at least the interval: Vitest may run several without a turn between */
  #others: { test: T; ms: number }[] = []
  /** the longest stalls so far, longest first (at most KEPT_STALLS) */
  #top: { delayMs: number; test: T | null }[] = []
  #ownMs = 0

  constructor(
    private readonly intervalMs: number,
    at: number,
  ) {
    this.#lastTurn = at
  }

  testStarted(test: T, at: number): void {
    this.#current = { test, startedAt: at }
  }

  testEnded(at: number): void {
    if (this.#current) this.#ran(this.#current.test, at - Math.max(this.#current.startedAt, this.#lastTurn))
    this.#current = undefined
  }

  /** The timer fired at `at`. */
  turn(at: number): void {
    const delayMs = at - this.#lastTurn - this.intervalMs - this.#ownMs
    if (this.#current) this.#ran(this.#current.test, at - Math.max(this.#current.startedAt, this.#lastTurn))
    // A test is blamed for no more than it ran: Vitest goes from one test to the next without a turn of the
    // loop, so a file of quick synchronous tests keeps the loop from turning without any one test stalling it.
    const stallMs = this.#longest ? Math.min(delayMs, this.#longest.ms) : delayMs
    this.#keep(stallMs, this.#longest?.test ?? null)
    for (const other of this.#others)
      if (other.test !== this.#longest?.test) this.#keep(Math.min(delayMs, other.ms), other.test)
    this.#others.length = 0
    this.#lastTurn = at
    this.#longest = undefined
    this.#ownMs = 0
  }

  /** `ms` of our own work (a probe's forced GCs) kept the loop from turning: not a test's stall. */
  ours(ms: number): void {
    this.#ownMs += ms
  }

  /** The longest stalls so far, and start again (a new file). */
  take(at: number): { maxDelayMs: number; test: T | null; stalls: { ms: number; test: T | null }[] } {
    // A stall still under way (a synchronous last test): the timer has not fired yet, the time has passed.
    this.turn(at)
    const stalls = this.#top.map((stall) => ({ ms: Math.round(stall.delayMs * 10) / 10, test: stall.test }))
    this.#top = []
    return { maxDelayMs: stalls[0]?.ms ?? 0, test: stalls[0]?.test ?? null, stalls }
  }

  #keep(delayMs: number, test: T | null): void {
    const top = this.#top
    // Under a millisecond is the timer's own jitter, not a stall.
    if (delayMs < 1 || (top.length === KEPT_STALLS && delayMs <= top[top.length - 1]!.delayMs)) return
    let i = top.length
    while (i > 0 && top[i - 1]!.delayMs < delayMs) i--
    top.splice(i, 0, { delayMs, test })
    if (top.length > KEPT_STALLS) top.pop()
  }

  #ran(test: T, ms: number): void {
    if (ms >= this.intervalMs) this.#others.push({ test, ms })
    if (!this.#longest || ms > this.#longest.ms) this.#longest = { test, ms }
  }
}

interface GcEntry {
  duration: number
}

/**
 * The worker side: one timer (unref'd, from `node:timers`, so fake timers never replace it) and a GC observer,
 * both started with the first file of a worker. Costs a wake-up every 20 ms and one entry per GC the tests cause:
 * the observer is off while a probe runs, so the probes' forced GCs make none.
 */
export class EventLoopWatch<T = string> {
  readonly #tracker: StallTracker<T>
  /** a test's name, asked only of the tests a file's longest stalls are blamed on (not on every test's path) */
  readonly #nameOf: (test: T) => string
  readonly #timer: NodeJS.Timeout
  readonly #gc: PerformanceObserver | undefined
  #gcMs = 0

  constructor(nameOf: (test: T) => string = String) {
    this.#nameOf = nameOf
    this.#tracker = new StallTracker<T>(WATCH_INTERVAL_MS, now())
    this.#timer = setInterval(() => this.#tracker.turn(now()), WATCH_INTERVAL_MS)
    this.#timer.unref()
    try {
      this.#gc = new PerformanceObserver((list) => this.#addGc(list.getEntries()))
      this.#gc.observe({ entryTypes: ['gc'] })
    } catch {
      this.#gc = undefined
    }
  }

  #addGc(entries: readonly GcEntry[]): void {
    for (const entry of entries) this.#gcMs += entry.duration
  }

  testStarted(test: T): void {
    this.#tracker.testStarted(test, now())
  }

  testEnded(): void {
    this.#tracker.testEnded(now())
  }

  /**
   * A probe starts: its GCs are ours, not the file's, so the observer stops until it ends. Node makes an entry for
   * every GC observed, from an immediate: for the probes' ~5 forced GCs a file that cost ~3 ms of each ~115-ms
   * worker's busy time (bench/overhead). GCs that ended before it still report: their entries are made after the probe.
   */
  probeStarted(): void {
    if (!this.#gc) return
    this.#addGc(this.#gc.takeRecords())
    this.#gc.disconnect()
  }

  /** The probe that started ran from `from` to `to` (`now()` ms): its stall is ours, and GCs are observed again. */
  probeEnded(from: number, to: number): void {
    this.#tracker.ours(to - from)
    this.#gc?.observe({ entryTypes: ['gc'] })
  }

  /** The file's numbers since the last call; after `settled()`, so that its last GCs have been reported. */
  takeFile(): FileLoopStats {
    if (this.#gc) this.#addGc(this.#gc.takeRecords())
    const gcMs = Math.round(this.#gcMs * 10) / 10
    this.#gcMs = 0
    const { maxDelayMs, test, stalls } = this.#tracker.take(now())
    const name = (blamed: T | null) => (blamed === null ? null : this.#nameOf(blamed))
    return {
      maxDelayMs,
      test: name(test),
      stalls: stalls.map((stall) => ({ ms: stall.ms, test: name(stall.test) })),
      gcMs,
    }
  }

  /**
   * Node reports a GC to observers from an immediate queued when it ends: the next turn of the loop brings them all
   * (a timer's turn cost each file 1.2 ms: 3% of a 10-s suite of 250 small files).
   */
  settled(): Promise<void> {
    return nextMacrotask()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#gc?.disconnect()
  }
}
