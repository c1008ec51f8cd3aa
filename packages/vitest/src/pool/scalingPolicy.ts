// Pure: what adaptive worker scaling decides at each tick, from what was read. No timers, no I/O, no clock of
// its own (the reading carries the time), so it is unit-tested with synthetic readings (scalingPolicy.test.ts).

/** One tick's reading of the machine and the gate. */
export interface TickReading {
  /** when it was read, ms (any monotonic origin) */
  atMs: number
  /** how long the reading covers, ms (the tick's interval: `sampling.*`); by default since the last reading, 250 for the first */
  spanMs?: number
  /** the CPUs' busy share since the last tick, 0..1 */
  cpuBusy: number
  /** how busy Vitest's main thread was since the last tick, 0..1 (its event-loop utilisation) */
  mainBusy: number
  /** the run's RSS: main process and workers */
  totalRssBytes: number
  running: number
  waiting: number
  limit: number
}

export interface PolicySettings {
  min: number
  max: number
  memoryBudgetBytes: number
  /** CPUs of the machine */
  cores: number
  /**
   * Whether each test file gets a worker of its own. When workers are reused (`isolate: false`), every extra
   * worker loads the module graph again: worth it only while files wait on I/O with CPUs to spare, so the limit
   * does not grow past Vitest's own default, the CPUs less one (the main process transforms and answers the workers).
   */
  isolated: boolean
}

export interface TickDecision {
  /** no growth while this holds: more workers would only queue for a CPU, or for the main thread */
  holdGrowth: boolean
  /** cut the limit to this many, now */
  cutTo?: number
  /** grow the limit by this factor, now (files wait behind it while the CPUs idle) */
  growBy?: number
  /** the most files the limit may allow for this run now (lower than `max` for reused workers) */
  ceiling: number
}

/** At this busy share of the CPUs over a second, more workers only queue for them. */
export const CPU_SATURATED = 0.97
/** Below this busy share over half a second, the CPUs have room for more workers. */
export const CPU_IDLE = 0.6
/**
 * The main thread transforms modules and answers every worker's calls: busy this much of the time, it is what
 * the workers wait for, and more workers add to its queue. (Seen on public suites with `isolate: false`: the
 * CPUs stayed half idle while the workers waited on it, and the idle-CPU rule took the limit to 16.)
 */
export const MAIN_SATURATED = 0.8
/** When the run's RSS passes this share of the budget, no more files than run now. */
export const MEMORY_PRESSURE = 0.85

/** Growth is held on the CPUs' and the main thread's load over this long: a worker starting up saturates a CPU for a few hundred ms. */
const HOLD_WINDOW_MS = 1000
/** Idle CPUs over this long are evidence enough to grow (and the least time between two growths). */
const GROW_WINDOW_MS = 500
const GROW_EVERY_MS = GROW_WINDOW_MS
const CUT_EVERY_MS = 1000
/** What a first reading is taken to cover when it does not say (the default tick). */
const FIRST_SPAN_MS = 250

interface Load {
  atMs: number
  spanMs: number
  cpu: number
  main: number
}

export class ScalingPolicy {
  readonly #settings: PolicySettings
  /** the readings of the last HOLD_WINDOW_MS (and the one reaching past it), oldest first */
  #loads: Load[] = []
  #lastCutAt = Number.NEGATIVE_INFINITY
  #lastGrowAt = Number.NEGATIVE_INFINITY

  constructor(settings: PolicySettings) {
    this.#settings = settings
  }

  /** The most files the limit may allow: `max`, or Vitest's default (CPUs − 1) when workers keep their module graph. */
  get ceiling(): number {
    const { max, min, cores, isolated } = this.#settings
    // On 2 CPUs a second reused worker cost 35% more CPU and ran 1.25–1.36× slower than one (bench:workers jsdom).
    return isolated ? max : Math.max(min, Math.min(max, cores - 1))
  }

  tick(reading: TickReading): TickDecision {
    const last = this.#loads[this.#loads.length - 1]
    const spanMs = reading.spanMs ?? (last ? reading.atMs - last.atMs : FIRST_SPAN_MS)
    this.#loads.push({ atMs: reading.atMs, spanMs, cpu: reading.cpuBusy, main: reading.mainBusy })
    // Readings are kept by time, not by count: the sampling rate changes their interval (see `sampling.*`).
    while (this.#loads.length > 1 && this.#loads[1]!.atMs - this.#loads[1]!.spanMs <= reading.atMs - HOLD_WINDOW_MS)
      this.#loads.shift()
    const { memoryBudgetBytes, min } = this.#settings
    const ceiling = this.ceiling
    // Over a second, not a tick: a worker starting up saturates a CPU for a few hundred ms by itself.
    const hold = recentLoad(this.#loads, HOLD_WINDOW_MS)
    const holdGrowth = hold.cpu >= CPU_SATURATED || hold.main >= MAIN_SATURATED
    const decision: TickDecision = { holdGrowth, ceiling }
    const pressed = reading.totalRssBytes > memoryBudgetBytes * MEMORY_PRESSURE
    // Memory is tight: no more files than run now. Cutting below that would not free a byte (running files
    // keep their memory) and would hold the run back long after they finish.
    const floor = Math.max(reading.running, min)
    if (pressed && reading.atMs - this.#lastCutAt > CUT_EVERY_MS && reading.limit > floor) {
      this.#lastCutAt = reading.atMs
      decision.cutTo = floor
    }
    // Files wait behind the limit while the CPUs and the main thread idle (the running files wait on I/O):
    // Vegas's "no queue, add more", without waiting for files to finish, which may take seconds each. Half a
    // second of it is evidence enough: a cold run climbs from the number of cores, and every second of that
    // climb is a second an I/O-bound suite runs below its best.
    const heldBackByLimit = reading.waiting > 0 && reading.running >= reading.limit && reading.limit < ceiling
    const idle = recentLoad(this.#loads, GROW_WINDOW_MS)
    if (
      !pressed &&
      heldBackByLimit &&
      idle.coveredMs >= GROW_WINDOW_MS &&
      idle.cpu < CPU_IDLE &&
      idle.main < MAIN_SATURATED / 2 &&
      reading.atMs - this.#lastGrowAt >= GROW_EVERY_MS
    ) {
      this.#lastGrowAt = reading.atMs
      decision.growBy = 2
    }
    return decision
  }
}

/**
 * The CPUs' and the main thread's load over the last `windowMs` (less at the start: `coveredMs` says how much),
 * each reading weighted by the part of its span inside the window.
 */
function recentLoad(loads: readonly Load[], windowMs: number): { cpu: number; main: number; coveredMs: number } {
  let coveredMs = 0
  let cpu = 0
  let main = 0
  for (let i = loads.length - 1; i >= 0 && coveredMs < windowMs; i--) {
    const load = loads[i]!
    const weight = Math.min(Math.max(load.spanMs, 0), windowMs - coveredMs)
    coveredMs += weight
    cpu += load.cpu * weight
    main += load.main * weight
  }
  return coveredMs > 0 ? { cpu: cpu / coveredMs, main: main / coveredMs, coveredMs } : { cpu: 0, main: 0, coveredMs }
}

/**
 * Whether a file whose memory nothing has measured yet may start beside the others on a cold run. With a
 * budget that holds only a few fresh workers, files that have not finished have not shown their peak: until
 * one has, unmeasured files start one at a time, so the budget holds before any history exists (a cold run
 * of 150 MB files under a 400 MB budget started two at once and peaked at 543 MB). After that the largest peak
 * seen stands in for an unmeasured file's, and the budget check decides.
 */
export function coldAdmission(input: {
  /** the candidate has a peak from an earlier run, or one measured in this run */
  candidateMeasured: boolean
  /** a file of this run has finished with a measured peak */
  peakSeen: boolean
  /** files admitted and not finished whose peak nothing has measured */
  unmeasuredRunning: number
  budgetBytes: number
  mainBytes: number
  freshWorkerBytes: number
  cores: number
}): boolean {
  if (input.candidateMeasured || input.peakSeen || input.unmeasuredRunning === 0) return true
  const tight = input.budgetBytes - input.mainBytes < TIGHT_BUDGET_WORKERS * input.cores * input.freshWorkerBytes
  return !tight
}

/** A budget under this many fresh workers per CPU (above the main process) is tight for a cold run. */
const TIGHT_BUDGET_WORKERS = 4
