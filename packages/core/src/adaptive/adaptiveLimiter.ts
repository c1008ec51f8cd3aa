/*
 * How the limit moves (the README section "Adaptive concurrency" carries the same text)
 *
 * The limiter is fed one sample per finished unit of work: its latency, whether it succeeded and how much
 * work was in flight. It makes one update per window (the short window) of `sampleSize` samples, or half
 * the limit's worth when that is more: at a limit of 30, an 8-sample mean of a service with moderate spread
 * rose 20% above the baseline by noise alone often enough to cut the limit to half the knee now and then.
 * The design follows Netflix concurrency-limits (Gradient2, Vegas); the differences are said below.
 *
 * - Baseline: the latency of work that does not queue. The first window sets it; later it moves by
 *   1/`baselineWindow` per sample towards windows that cannot have queued: no queueing seen and no more
 *   work in flight than the limit that last drained a queue (the knee estimate), or the limit already at
 *   `minLimit` (latency that stays high there is the service's new normal). Queueing windows never move
 *   it: a baseline that learns the queueing it should detect lets the limit creep up, the weakness of a
 *   plain long-window average under constant load (seen here: +40% over 6,000 samples).
 * - Queueing: the window's mean latency is above `latencyThreshold` × baseline. Past the knee, in-flight
 *   work = throughput × latency (Little's law) with throughput flat, so latency grows with the limit.
 * - Gradient: on queueing, `gradient = clamp(baseline / shortMean, 0.5, 1)`, so `limit × gradient` is the
 *   limit that would have drained the queue; 0.5 bounds one update's cut. Gradient2 multiplies by the
 *   tolerance inside the clamp instead, which settles at tolerance × knee + allowance (1.3–1.7× the knee
 *   in the simulation); draining to the knee settles at about knee + allowance.
 * - Queue allowance: `newLimit = limit × gradient + √limit / 2`. A little queued work keeps every server
 *   busy between completions and probes for capacity that appeared; √ grows slowly at large limits.
 * - Smoothing: the limit moves `smoothing` (0.5) of the way to `newLimit`, so one noisy window moves it
 *   only part of the way.
 * - Target: when the window's 90th-percentile latency exceeds `targetLatency`, the limit is cut at once
 *   by `targetLatency / p90` (at most halved), without smoothing or allowance: the latency budget is
 *   already spent, and past the knee the tail scales with the limit.
 * - Slow start: the limit doubles each update while windows show no queueing, no failure and work that
 *   fills half the limit. A test suite gives tens of samples, not thousands: adding √limit per update
 *   from 2 to 16 would use them all. After a doubling, completions of work started before it are not
 *   sampled (they would hide the doubling's effect and let it double again blind). The first queueing
 *   window ends slow start for good; the gradient then undoes the overshoot in an update or two.
 * - Failures: a failed unit cuts the limit at once by `failureBackoff` (AIMD's multiplicative decrease),
 *   at most once per round of work already in flight, as that work started under the old limit. Failed
 *   units give no latency: a fast error is not a fast service.
 * - No growth while the work in flight stays under half the limit: such a window cannot tell whether
 *   more concurrency would help.
 * - External pressure: `reduce(factor)` (memory) cuts now; `holdGrowth(true)` (CPU saturated) blocks
 *   every increase until released; `setBounds` clamps the limit into new bounds. External room:
 *   `grow(factor)` raises now (idle CPUs while work waits: Vegas's "no queue, add one" seen from outside,
 *   for users whose units of work finish too rarely to drive growth by themselves).
 */
import { valueAtRank } from '../leaks/median.js'
import { checkKnownKeys, isFiniteNumber, showValue } from '../validate/options.js'

/** Why the limit changed. `reduce()` reports the reason it was given instead (default `'reduce'`). */
export type LimitChangeReason = 'slow-start' | 'increase' | 'latency' | 'target' | 'failure' | 'bounds'

export type LimitListener = (limit: number, reason: LimitChangeReason | (string & {})) => void

export interface AdaptiveLimiterOptions {
  /** Limit before any sample, an integer from `minLimit` to `maxLimit`. Default: `minLimit`; slow start grows it. */
  initialLimit?: number
  /** Smallest limit, an integer ≥ 1. Default 1. */
  minLimit?: number
  /** Largest limit, an integer ≥ `minLimit`. The cap when latency gives no signal (a service that never slows). */
  maxLimit: number
  /**
   * Samples per update, at least (≥ 1, integer); windows also span half the current limit. Default 8: enough
   * for a mean and a rough 90th percentile, few enough for a test suite.
   */
  sampleSize?: number
  /**
   * How far (ratio, ≥ 1) the window's mean latency may rise above the baseline before it counts as queueing.
   * Default 1.2: above the noise of an 8-sample mean (±15% for service times with a coefficient of variation
   * of 0.4), low enough that queueing is seen before latency has risen by a quarter.
   */
  latencyThreshold?: number
  /**
   * Latency (same unit as the samples, e.g. ms; finite, > 0) that the window's 90th percentile should stay under.
   * Above it the limit is cut by `targetLatency / p90`. Default: none (only the baseline gradient applies).
   */
  targetLatency?: number
  /** Fraction (0–1] of each gradient step that is taken. Default 0.5. */
  smoothing?: number
  /** Factor (0–1) applied to the limit after a failure. Default 0.7. */
  failureBackoff?: number
  /** Samples over which the baseline may rise to a slower service (≥ 1). Default 500. */
  baselineWindow?: number
  /** Work allowed to queue above the drained limit, as a function of the limit. Default `√limit / 2`. */
  queueAllowance?: (limit: number) => number
}

export interface LatencySample {
  /** Time this unit of work took, in the unit of `targetLatency` (ms, or normalised to an expected duration). */
  latency: number
  /** False when the unit failed. Default true. */
  ok?: boolean
  /** Units in flight when this one finished, itself included. */
  inFlight: number
}

const TARGET_QUANTILE = 0.9
const MIN_GRADIENT = 0.5

export class AdaptiveLimiter {
  #min: number
  #max: number
  #estimate: number
  #limit: number
  readonly #sampleSize: number
  readonly #threshold: number
  readonly #target: number
  readonly #smoothing: number
  readonly #failureBackoff: number
  readonly #baselineWindow: number
  readonly #allowance: (limit: number) => number
  #baseline: number | undefined
  #slowStart = true
  #held = false
  #latencies: number[] = []
  #windowCount = 0
  #windowMaxInFlight = 0
  #windowFailed = false
  #failureCooldown = 0
  /** Completions still to ignore: work started under the limit before a doubling. */
  #skip = 0
  /** Limit that drained the queue at the last queueing window: windows within it cannot have queued. */
  #knee = Number.POSITIVE_INFINITY
  readonly #listeners = new Set<LimitListener>()

  constructor(options: AdaptiveLimiterOptions) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new RangeError(`AdaptiveLimiter: options must be an object with maxLimit; got ${showValue(options)}.`)
    }
    checkKnownKeys('AdaptiveLimiter', options, LIMITER_OPTION_NAMES)
    const resolved = resolveLimiterOptions('AdaptiveLimiter', options, LIMITER_NAMES)
    this.#min = resolved.minLimit
    this.#max = resolved.maxLimit
    this.#estimate = resolved.initialLimit
    this.#limit = resolved.initialLimit
    this.#sampleSize = resolved.sampleSize
    this.#threshold = resolved.latencyThreshold
    this.#target = resolved.targetLatency
    this.#smoothing = resolved.smoothing
    this.#failureBackoff = resolved.failureBackoff
    this.#baselineWindow = resolved.baselineWindow
    this.#allowance = resolved.queueAllowance
  }

  /** Current limit: an integer from `minLimit` to `maxLimit`. */
  get limit(): number {
    return this.#limit
  }

  /** Estimated latency of work that does not queue; undefined before the first full window. */
  get baselineLatency(): number | undefined {
    return this.#baseline
  }

  /** Records one finished unit of work and returns the limit after it. */
  record(sample: LatencySample): number {
    const { latency, inFlight } = sample
    const ok = sample.ok ?? true
    if (!isFiniteNumber(latency) || latency < 0) {
      throw new RangeError(`AdaptiveLimiter.record: latency must be a finite number ≥ 0; got ${showValue(latency)}.`)
    }
    if (!Number.isInteger(inFlight) || inFlight < 0) {
      throw new RangeError(`AdaptiveLimiter.record: inFlight must be an integer ≥ 0; got ${showValue(inFlight)}.`)
    }
    if (this.#skip > 0 && ok) {
      this.#skip--
      return this.#limit
    }
    this.#windowCount++
    if (inFlight > this.#windowMaxInFlight) this.#windowMaxInFlight = inFlight
    if (ok) this.#latencies.push(latency)
    else this.#windowFailed = true

    if (this.#failureCooldown > 0) this.#failureCooldown--
    else if (!ok) {
      this.#slowStart = false
      this.#failureCooldown = Math.max(0, inFlight - 1)
      this.#set(this.#estimate * this.#failureBackoff, 'failure')
    }
    if (this.#windowCount >= Math.max(this.#sampleSize, Math.ceil(this.#limit / 2))) this.#update()
    return this.#limit
  }

  /** External pressure (e.g. memory): multiplies the limit by `factor` (0–1, default 0.5) now, down to `minLimit`. */
  reduce(factor = 0.5, reason = 'reduce'): number {
    checkFraction('AdaptiveLimiter.reduce', 'factor', factor, false)
    this.#slowStart = false
    this.#clearWindow()
    this.#set(this.#estimate * factor, reason)
    return this.#limit
  }

  /**
   * External room (e.g. idle CPUs while work waits): multiplies the limit by `factor` (> 1, default 1.5)
   * now, up to `maxLimit`; nothing while growth is held. Later windows judge the step like any other.
   */
  grow(factor = 1.5, reason = 'grow'): number {
    if (!isFiniteNumber(factor) || factor <= 1) {
      throw new RangeError(`AdaptiveLimiter.grow: factor must be a finite number > 1; got ${showValue(factor)}.`)
    }
    if (this.#held) return this.#limit
    this.#clearWindow()
    // At least one more: ×1.5 of a limit of 1 would round back down to 1.
    this.#set(Math.max(this.#estimate * factor, this.#limit + 1), reason)
    return this.#limit
  }

  /** External saturation (e.g. CPU): while held, samples never raise the limit; decreases still apply. */
  holdGrowth(held: boolean): void {
    this.#held = held
  }

  /** Changes the bounds (e.g. a new maximum worker count) and clamps the limit into them. */
  setBounds(minLimit: number, maxLimit: number): number {
    checkLimits('AdaptiveLimiter.setBounds', { min: minLimit, max: maxLimit }, LIMITER_NAMES)
    this.#min = minLimit
    this.#max = maxLimit
    this.#set(this.#estimate, 'bounds')
    return this.#limit
  }

  /** Calls `listener(limit, reason)` after each change of the integer limit; returns a function that unsubscribes. */
  onChange(listener: LimitListener): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  #update(): void {
    const latencies = this.#latencies
    const maxInFlight = this.#windowMaxInFlight
    const appLimited = maxInFlight < this.#estimate / 2
    const failed = this.#windowFailed
    this.#clearWindow()
    // A window of failures only says the work fails; the failure cut already happened.
    if (latencies.length === 0) return

    let sum = 0
    for (const latency of latencies) sum += latency
    const mean = sum / latencies.length
    const p90 = valueAtRank(Float64Array.from(latencies), 1 + TARGET_QUANTILE * (latencies.length - 1))

    const baseline = this.#baseline ?? mean
    const queueing = mean > this.#threshold * baseline
    const belowKnee = !queueing && maxInFlight <= this.#knee
    if (belowKnee || this.#estimate <= this.#min) {
      const step = Math.min(1, latencies.length / this.#baselineWindow)
      this.#baseline = baseline + (mean - baseline) * step
    } else this.#baseline = baseline

    const growthAllowed = !appLimited && !failed && !this.#held
    if (p90 > this.#target) {
      this.#slowStart = false
      this.#set(this.#estimate * Math.max(MIN_GRADIENT, this.#target / p90), 'target')
      return
    }
    if (this.#slowStart && !queueing) {
      if (growthAllowed) {
        const before = this.#limit
        this.#set(this.#estimate * 2, 'slow-start')
        // The work in flight now started under the old limit; judge the doubling on work started after it.
        if (this.#limit !== before) this.#skip = maxInFlight
      }
      return
    }
    this.#slowStart = false
    const gradient = queueing ? Math.max(MIN_GRADIENT, this.#baseline! / mean) : 1
    if (queueing) this.#knee = this.#estimate * gradient
    const proposed = this.#estimate * gradient + this.#allowance(this.#estimate)
    let next = this.#estimate + (proposed - this.#estimate) * this.#smoothing
    if (next > this.#estimate && !growthAllowed) next = this.#estimate
    this.#set(next, next >= this.#estimate ? 'increase' : 'latency')
  }

  #set(estimate: number, reason: string): void {
    this.#estimate = Math.min(this.#max, Math.max(this.#min, estimate))
    const limit = Math.min(this.#max, Math.max(this.#min, Math.floor(this.#estimate)))
    if (limit === this.#limit) return
    this.#limit = limit
    for (const listener of [...this.#listeners]) listener(limit, reason)
  }

  #clearWindow(): void {
    this.#latencies = []
    this.#windowCount = 0
    this.#windowMaxInFlight = 0
    this.#windowFailed = false
  }
}

// Half of √limit: the simulation's limit settled at 1.2–1.3× the knee with it, 1.4–1.6× with a full √limit.
function halfSquareRoot(limit: number): number {
  return Math.sqrt(limit) / 2
}

export interface LimitNames {
  min: string
  initial: string
  max: string
}

const LIMITER_NAMES: LimitNames = { min: 'minLimit', initial: 'initialLimit', max: 'maxLimit' }

// A record, not a list, so adding an option to the interface without allowing it here fails to compile.
const LIMITER_OPTION_KEYS: Record<keyof AdaptiveLimiterOptions, true> = {
  initialLimit: true,
  minLimit: true,
  maxLimit: true,
  sampleSize: true,
  latencyThreshold: true,
  targetLatency: true,
  smoothing: true,
  failureBackoff: true,
  baselineWindow: true,
  queueAllowance: true,
}
const LIMITER_OPTION_NAMES = Object.keys(LIMITER_OPTION_KEYS)

/** AdaptiveLimiterOptions with every default filled in; `targetLatency` Infinity means none. */
export type ResolvedLimiterOptions = Required<AdaptiveLimiterOptions>

/**
 * Checks every option and fills in the defaults. `owner` and `names` are how the caller knows them:
 * rollingConcurrency reports its own name and `maxConcurrency` where AdaptiveLimiter says `maxLimit`,
 * so an error names what the user actually wrote.
 */
export function resolveLimiterOptions(
  owner: string,
  options: AdaptiveLimiterOptions,
  names: LimitNames,
): ResolvedLimiterOptions {
  const minLimit = options.minLimit ?? 1
  const initialLimit = options.initialLimit ?? minLimit
  const maxLimit = options.maxLimit
  checkLimits(owner, { min: minLimit, initial: initialLimit, max: maxLimit }, names)
  const latencyThreshold = options.latencyThreshold ?? 1.2
  if (!isFiniteNumber(latencyThreshold) || latencyThreshold < 1) {
    throw new RangeError(`${owner}: latencyThreshold must be a finite ratio ≥ 1; got ${showValue(latencyThreshold)}.`)
  }
  const targetLatency = options.targetLatency ?? Number.POSITIVE_INFINITY
  // Infinity is allowed: it is what "no target" means here, and what `slo ?? Infinity` gives a caller.
  if (options.targetLatency !== undefined && (typeof targetLatency !== 'number' || !(targetLatency > 0))) {
    throw new RangeError(
      `${owner}: targetLatency must be a number > 0 (Infinity or left out for none); got ${showValue(targetLatency)}.`,
    )
  }
  const queueAllowance = options.queueAllowance ?? halfSquareRoot
  if (typeof queueAllowance !== 'function') {
    throw new RangeError(`${owner}: queueAllowance must be a function of the limit; got ${showValue(queueAllowance)}.`)
  }
  return {
    minLimit,
    initialLimit,
    maxLimit,
    sampleSize: checkInteger(owner, 'sampleSize', options.sampleSize ?? 8, 1),
    latencyThreshold,
    targetLatency,
    smoothing: checkFraction(owner, 'smoothing', options.smoothing ?? 0.5, true),
    failureBackoff: checkFraction(owner, 'failureBackoff', options.failureBackoff ?? 0.7, false),
    baselineWindow: checkPositive(owner, 'baselineWindow', options.baselineWindow ?? 500),
    queueAllowance,
  }
}

/** Throws one RangeError naming the first bad limit: positive integers with min ≤ initial ≤ max. */
function checkLimits(owner: string, limits: { min: number; initial?: number; max: number }, names: LimitNames): void {
  const { min, initial, max } = limits
  checkInteger(owner, names.min, min, 1)
  if (!Number.isInteger(max) || max < min) {
    throw new RangeError(`${owner}: ${names.max} must be an integer ≥ ${names.min} (${min}); got ${showValue(max)}.`)
  }
  if (initial !== undefined && (!Number.isInteger(initial) || initial < min || initial > max)) {
    throw new RangeError(
      `${owner}: ${names.initial} must be an integer from ${names.min} (${min}) to ${names.max} (${max}); got ${showValue(initial)}.`,
    )
  }
}

function checkInteger(owner: string, name: string, value: number, least: number): number {
  if (!Number.isInteger(value) || value < least) {
    throw new RangeError(`${owner}: ${name} must be an integer ≥ ${least}; got ${showValue(value)}.`)
  }
  return value
}

function checkPositive(owner: string, name: string, value: number): number {
  if (!isFiniteNumber(value) || value <= 0) {
    throw new RangeError(`${owner}: ${name} must be a finite number > 0; got ${showValue(value)}.`)
  }
  return value
}

// A number, not just something that compares like one: '0.5' > 0 is true in JS, so a string read from a
// config file would pass the range check while being a value nobody parsed.
function checkFraction(owner: string, name: string, value: number, oneAllowed: boolean): number {
  if (!isFiniteNumber(value) || value <= 0 || value > 1 || (!oneAllowed && value === 1)) {
    throw new RangeError(
      `${owner}: ${name} must be a number > 0 and ${oneAllowed ? '≤' : '<'} 1; got ${showValue(value)}.`,
    )
  }
  return value
}
