import { checkKnownKeys, checkOptionsObject, isFiniteNumber, showValue } from '../validate/options.js'

/**
 * The monitor's sampling bounds, named and meant as the Vitest plugin's `sampling.*` options, so the plugin
 * can pass them through unchanged.
 */
export interface SamplingOptions {
  /** Interval between samples at the full (100%) rate, ms. Default: the monitor's `intervalMs` (250). */
  baseIntervalMs?: number
  /** Shortest interval ever used, ms (caps the rate). Default `baseIntervalMs`. */
  minIntervalMs?: number
  /** Longest interval ever used, ms (the lowest rate is `baseIntervalMs / maxIntervalMs`). Default 2.5 × `baseIntervalMs` (40%). */
  maxIntervalMs?: number
}

export interface SamplingBounds {
  baseIntervalMs: number
  minIntervalMs: number
  maxIntervalMs: number
}

/** Rates step down by this much under load: 100 → 80 → 60 → 40% with the default bounds. */
const RATE_STEP = 0.2
const DEFAULT_LOWEST_RATE = 0.4
/** Load (0..1) at or above which an interval counts as busy, and at or below which it counts as idle. */
export const BUSY_LOAD = 0.75
export const IDLE_LOAD = 0.35
/** Consecutive busy intervals before a step down, consecutive idle ones before a step up. */
export const BUSY_INTERVALS_TO_STEP_DOWN = 2
export const IDLE_INTERVALS_TO_STEP_UP = 3

const SAMPLING_KEYS: Record<keyof SamplingOptions, true> = {
  baseIntervalMs: true,
  minIntervalMs: true,
  maxIntervalMs: true,
}

/**
 * Resolves the sampling bounds: `intervalMs` and `sampling.baseIntervalMs` are two names for the full-rate
 * interval (the first is the monitor's own shape, the second the plugin's); giving both with different values
 * is refused. The bounds must hold `minIntervalMs ≤ baseIntervalMs ≤ maxIntervalMs`.
 */
export function resolveSamplingBounds(
  owner: string,
  intervalMs: unknown,
  sampling: unknown,
  defaultIntervalMs: number,
): SamplingBounds {
  const given = checkOptionsObject(owner, sampling, 'sampling')
  checkKnownKeys(owner, given, Object.keys(SAMPLING_KEYS), 'sampling')
  const interval = (name: string, value: unknown) => {
    if (value === undefined) return undefined
    if (!isFiniteNumber(value) || value < 1)
      throw new RangeError(`${owner}: ${name} must be a finite number of ms ≥ 1; got ${showValue(value)}.`)
    return value
  }
  const fromInterval = interval('intervalMs', intervalMs)
  const fromBase = interval('sampling.baseIntervalMs', given.baseIntervalMs)
  if (fromInterval !== undefined && fromBase !== undefined && fromInterval !== fromBase) {
    throw new RangeError(
      `${owner}: intervalMs (${fromInterval}) and sampling.baseIntervalMs (${fromBase}) name the same interval; give one of them.`,
    )
  }
  const baseIntervalMs = fromInterval ?? fromBase ?? defaultIntervalMs
  const minIntervalMs = interval('sampling.minIntervalMs', given.minIntervalMs) ?? baseIntervalMs
  const maxIntervalMs = interval('sampling.maxIntervalMs', given.maxIntervalMs) ?? baseIntervalMs / DEFAULT_LOWEST_RATE
  if (minIntervalMs > baseIntervalMs) {
    throw new RangeError(
      `${owner}: sampling.minIntervalMs must not exceed the base interval (${baseIntervalMs} ms); got ${minIntervalMs}.`,
    )
  }
  if (maxIntervalMs < baseIntervalMs) {
    throw new RangeError(
      `${owner}: sampling.maxIntervalMs must be at least the base interval (${baseIntervalMs} ms); got ${maxIntervalMs}.`,
    )
  }
  return { baseIntervalMs, minIntervalMs, maxIntervalMs }
}

/**
 * The sampling intervals the monitor may use, shortest first: the base interval divided by 100%, 80%, 60%, …
 * down to the lowest rate the bounds allow (`baseIntervalMs / maxIntervalMs`, added as the last step when it
 * is not on the 20-point grid), each clamped into [minIntervalMs, maxIntervalMs].
 */
export function samplingIntervals(bounds: SamplingBounds): number[] {
  const lowestRate = bounds.baseIntervalMs / bounds.maxIntervalMs
  const intervals: number[] = []
  const add = (rate: number) => {
    const ms = Math.min(bounds.maxIntervalMs, Math.max(bounds.minIntervalMs, bounds.baseIntervalMs / rate))
    if (intervals.length === 0 || ms > intervals[intervals.length - 1]!) intervals.push(ms)
  }
  // Rounded so that 1 − 3 × 0.2 is 0.4, not 0.39999999999999997 (which would add a step of its own).
  for (let rate = 1; rate > lowestRate + 1e-9; rate = Math.round((rate - RATE_STEP) * 1e9) / 1e9) add(rate)
  add(lowestRate)
  return intervals
}

/**
 * Adaptive sampling rate: steps the interval one level longer after BUSY_INTERVALS_TO_STEP_DOWN busy intervals
 * in a row, one level shorter after IDLE_INTERVALS_TO_STEP_UP idle ones; loads between the two thresholds hold
 * the level (the hysteresis band), so a load near one threshold does not flip the rate every sample. Pure: the
 * caller measures the load and keeps the time.
 */
export class SamplingRateController {
  readonly #bounds: SamplingBounds
  readonly #intervals: number[]
  #level = 0
  #busyRun = 0
  #idleRun = 0

  constructor(bounds: SamplingBounds) {
    this.#bounds = bounds
    this.#intervals = samplingIntervals(bounds)
  }

  /** The interval to wait before the next sample, ms. */
  get intervalMs(): number {
    return this.#intervals[this.#level]!
  }

  /** Samples per base interval at the current level, 0..1 (1 = 100%). */
  get rate(): number {
    return this.#bounds.baseIntervalMs / this.intervalMs
  }

  /**
   * Records the load of the interval that just ended (0 idle .. 1 saturated) and returns the next interval, ms.
   */
  record(load: number): number {
    if (!isFiniteNumber(load) || load < 0)
      throw new RangeError(`SamplingRateController.record: load must be a finite number ≥ 0; got ${showValue(load)}.`)
    if (load >= BUSY_LOAD) {
      this.#idleRun = 0
      if (++this.#busyRun >= BUSY_INTERVALS_TO_STEP_DOWN && this.#level < this.#intervals.length - 1) {
        this.#level++
        this.#busyRun = 0
      }
    } else if (load <= IDLE_LOAD) {
      this.#busyRun = 0
      if (++this.#idleRun >= IDLE_INTERVALS_TO_STEP_UP && this.#level > 0) {
        this.#level--
        this.#idleRun = 0
      }
    } else {
      this.#busyRun = 0
      this.#idleRun = 0
    }
    return this.intervalMs
  }
}
