import { formatBytes } from '../format/bytes.js'
import { mannKendall } from './mannKendall.js'
import { median } from './median.js'
import { normalCdf } from './normal.js'
import { type TheilSenFit, theilSenSlope } from './theilSen.js'
import { windowBounds, windowGrowth } from './windows.js'

export type LeakVerdict = 'leak' | 'suspect' | 'clean' | 'unknown'

export interface LeakSeriesOptions {
  /** Position of each sample (iteration or test index), strictly increasing. Default 0..n-1. */
  x?: readonly number[]
  /** Samples dropped from the start while caches and JIT warm up. Default: auto (about 20% of the series, at least 1 when n ≥ 8, 0 below). */
  warmupSamples?: number
  /** Growth per step below which nothing is called a leak, in bytes. Default 1024. */
  noiseFloorBytes?: number
  /** Known harness retention per step, subtracted from the slope. Default 0. */
  baselineBytesPerStep?: number
  /** Fewest samples (after warm-up) that can yield `leak`; fewer gives `unknown`. Default 5, at least 3. */
  minSamples?: number
  /** Windows for the "grows in every window" rule. Default 4 (fewer when there are few samples). */
  windows?: number
}

export interface LeakAnalysis {
  verdict: LeakVerdict
  /** Theil–Sen slope minus baseline, bytes per step (may be negative). NaN when it cannot be computed. */
  bytesPerStep: number
  /** Lower bound of the ~95% interval of bytesPerStep. */
  slopeLowBytes: number
  /** Upper bound of the ~95% interval of bytesPerStep. */
  slopeHighBytes: number
  /** 0..1: for leak/suspect, confidence that growth is real; for clean, confidence that growth is below the floor; 0 for unknown. */
  confidence: number
  /** One-sided Mann–Kendall p-value for an increasing trend (after baseline subtraction). */
  trendP: number
  growsInEveryWindow: boolean
  /** Growth in the last half is under 40% of the first half's: a bounded cache filling up. */
  saturating: boolean
  /** Robust scale of residuals around the fitted line (1.4826 × MAD), bytes. */
  noiseBytes: number
  /** Samples the statistics used: after warm-up, without outliers. */
  samplesUsed: number
  /** Isolated one-off spikes dropped before fitting (runtime lazy init that was freed again). */
  outlierSamples: number
  warmupSamples: number
  /** One sentence a user can read, e.g. "grew 48.2 KiB per step, rising across all 4 windows (p < 0.001)". */
  reason: string
}

const DEFAULT_NOISE_FLOOR_BYTES = 1024
const DEFAULT_MIN_SAMPLES = 5
const DEFAULT_WINDOWS = 4
/** `leak` needs a one-sided trend p below this; `suspect` accepts up to SUSPECT_P. */
const LEAK_P = 0.01
const SUSPECT_P = 0.05
/** Last-half slope below this fraction of the first-half slope counts as levelling off. */
const SATURATION_RATIO = 0.4
/** Each window must rise by at least this fraction of what the fitted slope predicts for it. */
const WINDOW_PACE_RATIO = 0.5
/** Converts a median absolute deviation into a normal-equivalent standard deviation. */
const MAD_TO_SD = 1.4826
const Z_95 = 1.959963984540054
/** A sample this many noise units above the line, with neighbours that are not, is a one-off spike. */
const SPIKE_NOISE_MULTIPLE = 5

/**
 * Verdict on a post-GC memory series: does it grow steadily by more than `noiseFloorBytes` per step?
 *
 * Precision first. Isolated upward spikes (> max(5 × noise, floor) above a first Theil–Sen fit, with
 * neighbours that are not) are dropped first: short series otherwise lose their window and trend
 * evidence to one post-GC outlier. `leak` then needs ALL of (after warm-up and baseline subtraction):
 * - Theil–Sen slope ≥ floor: the size of growth a user cares about, robust to outliers.
 * - lower 95% bound of the slope ≥ floor / 2: the size is not a noise artefact.
 * - Mann–Kendall p < 0.01: the rise is monotonic, not a few lucky samples.
 * - growth in every window, each rise > max(floor × spacing / 2, slope × spacing / 2, 2 × noise):
 *   rejects a single jump (lazy init), which Theil–Sen and Mann–Kendall both mistake for a trend,
 *   and a last window that has nearly stopped rising (a cache about to be full).
 * - not saturating (last-half slope ≥ 40% of first-half slope): rejects bounded caches filling up
 *   (BLeak's false positives).
 * - total growth ≥ 4 × noise: with a noise estimate near zero the other rules could pass on rounding.
 * `suspect`: slope ≥ floor with statistical support (p < 0.05 or lower bound ≥ floor / 2) but not all
 * of the above. Everything else with enough finite samples is `clean`.
 */
export function analyzeLeakSeries(bytes: readonly number[], options: LeakSeriesOptions = {}): LeakAnalysis {
  const n = bytes.length
  const floor = options.noiseFloorBytes ?? DEFAULT_NOISE_FLOOR_BYTES
  const baseline = options.baselineBytesPerStep ?? 0
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES
  const requestedWindows = options.windows ?? DEFAULT_WINDOWS
  const warmup = options.warmupSamples ?? autoWarmupSamples(n)
  validateOptions(n, options.x, { floor, baseline, minSamples, requestedWindows, warmup })
  const x = options.x ?? Array.from({ length: n }, (_, i) => i)

  const used = Math.max(n - warmup, 0)
  const unknown = (reason: string): LeakAnalysis => ({
    verdict: 'unknown',
    bytesPerStep: Number.NaN,
    slopeLowBytes: Number.NaN,
    slopeHighBytes: Number.NaN,
    confidence: 0,
    trendP: Number.NaN,
    growsInEveryWindow: false,
    saturating: false,
    noiseBytes: Number.NaN,
    samplesUsed: used,
    outlierSamples: 0,
    warmupSamples: Math.min(warmup, n),
    reason,
  })

  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(bytes[i])) return unknown(`sample ${i} is ${bytes[i]}, not a finite byte count`)
  }
  if (used < minSamples) {
    return unknown(
      `only ${used} sample(s) left after dropping ${warmup} for warm-up; a verdict needs at least ${minSamples}`,
    )
  }

  // Relative to the first used sample and net of the harness baseline: adding a constant to every
  // sample then leaves every intermediate value bit-identical, and all rules see only excess growth.
  const first = bytes[warmup]!
  const x0 = x[warmup]!
  const warmXs = x.slice(warmup)
  const warmYs = bytes.slice(warmup).map((b, i) => b - first - baseline * (warmXs[i]! - x0))

  // One-off spikes (lazy runtime init freed later) would break short series' windows and trend test.
  // Drop isolated samples far above the line, unless that would leave too few to judge.
  const firstPass = fitLine(warmXs, warmYs)
  const spike = isolatedSpikes(firstPass.residuals, Math.max(SPIKE_NOISE_MULTIPLE * firstPass.noise, floor))
  const outliers = spike.filter(Boolean).length
  const dropOutliers = outliers > 0 && used - outliers >= minSamples
  const xs = dropOutliers ? warmXs.filter((_, i) => !spike[i]) : warmXs
  const ys = dropOutliers ? warmYs.filter((_, i) => !spike[i]) : warmYs
  const { fit, noise } = dropOutliers ? fitLine(xs, ys) : firstPass
  const slope = fit.slope
  const samplesUsed = xs.length
  const trend = mannKendall(ys)

  const windowCount = Math.min(requestedWindows, Math.max(3, Math.floor(samplesUsed / 2)), samplesUsed)
  const windowXs = windowBounds(samplesUsed, windowCount).map(([start, end]) => median(xs.slice(start, end)))
  let minWindowGap = Number.POSITIVE_INFINITY
  for (let w = 1; w < windowCount; w++) minWindowGap = Math.min(minWindowGap, windowXs[w]! - windowXs[w - 1]!)
  // A window must rise by half the floor's worth, by half what the overall slope predicts (so a nearly
  // flat last window after a filling cache does not count), and clearly beyond noise.
  const windowThreshold = Math.max((floor * minWindowGap) / 2, WINDOW_PACE_RATIO * slope * minWindowGap, 2 * noise)
  const windows = windowGrowth(ys, windowCount, windowThreshold)

  const half = Math.ceil(samplesUsed / 2)
  const firstHalfSlope = theilSenSlope(xs.slice(0, half), ys.slice(0, half)).slope
  const lastHalfSlope = theilSenSlope(xs.slice(samplesUsed - half), ys.slice(samplesUsed - half)).slope
  const saturating = firstHalfSlope > 0 && lastHalfSlope < SATURATION_RATIO * firstHalfSlope

  const totalGrowth = slope * (xs[samplesUsed - 1]! - xs[0]!)
  const aboveFloor = slope >= floor
  const lowerBoundOk = fit.low >= floor / 2
  const trendOk = trend.p < LEAK_P
  const growthAboveNoise = totalGrowth >= 4 * noise

  const stats = {
    bytesPerStep: slope,
    slopeLowBytes: fit.low,
    slopeHighBytes: fit.high,
    trendP: trend.p,
    growsInEveryWindow: windows.growsInEveryWindow,
    saturating,
    noiseBytes: noise,
    samplesUsed,
    outlierSamples: dropOutliers ? outliers : 0,
    warmupSamples: warmup,
  }
  const pText = formatP(trend.p)

  if (aboveFloor && lowerBoundOk && trendOk && windows.growsInEveryWindow && !saturating && growthAboveNoise) {
    return {
      verdict: 'leak',
      confidence: growthConfidence(slope, fit.low, trend.p),
      reason: `grew ${formatBytes(slope)} per step, rising across all ${windowCount} windows (${pText})`,
      ...stats,
    }
  }

  // A rise that neither continues in every window nor keeps its pace is a burst that settled (lazy
  // init, a runtime buffer, a filling cache): showing it as suspect would only add noise.
  const settled = !windows.growsInEveryWindow && saturating
  if (aboveFloor && (trend.p < SUSPECT_P || lowerBoundOk) && !settled) {
    const missing: string[] = []
    if (!windows.growsInEveryWindow) {
      missing.push(`rose in only ${windows.growing} of ${windowCount - 1} window steps`)
    }
    if (saturating) {
      missing.push(
        `levelled off (${formatBytes(lastHalfSlope)} per step in the last half vs ${formatBytes(firstHalfSlope)} in the first), as a filling cache does`,
      )
    }
    if (!trendOk) missing.push(`the rise is not consistent (${pText})`)
    if (!lowerBoundOk) missing.push(`the 95% interval reaches down to ${formatBytes(fit.low)} per step`)
    if (!growthAboveNoise)
      missing.push(`total growth ${formatBytes(totalGrowth)} is within 4× the noise (${formatBytes(noise)})`)
    return {
      verdict: 'suspect',
      confidence: growthConfidence(slope, fit.low, trend.p),
      reason: `grew ${formatBytes(slope)} per step, but ${missing.join('; ')}`,
      ...stats,
    }
  }

  const interval = `95% interval ${formatBytes(fit.low)} to ${formatBytes(fit.high)}`
  return {
    verdict: 'clean',
    confidence: belowFloorConfidence(slope, fit.low, fit.high, floor),
    reason:
      settled && aboveFloor
        ? `rose ${formatBytes(firstHalfSlope)} per step at first, then levelled off (${formatBytes(lastHalfSlope)} in the last half) and not in every window: a burst that settled, not steady growth`
        : aboveFloor
          ? `${formatBytes(slope)} per step is indistinguishable from noise (${interval}, ${pText})`
          : `grew ${formatBytes(slope)} per step (${interval}), under the ${formatBytes(floor)} floor`,
    ...stats,
  }
}

interface LineFit {
  fit: TheilSenFit
  residuals: number[]
  /** 1.4826 × median absolute deviation of the residuals. */
  noise: number
}

function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const fit = theilSenSlope(xs, ys)
  const residuals = ys.map((y, i) => y - (fit.intercept + fit.slope * xs[i]!))
  const center = median(residuals)
  const noise = MAD_TO_SD * median(residuals.map((r) => Math.abs(r - center)))
  return { fit, residuals, noise }
}

/**
 * Marks samples more than the threshold above the line whose neighbours are not. Only upward: a
 * post-GC spike is something still reachable at sampling time, while samples below a straight fit
 * are what a levelling-off curve (a filling cache) looks like, and must stay.
 */
function isolatedSpikes(residuals: readonly number[], thresholdBytes: number): boolean[] {
  const high = residuals.map((r) => r > thresholdBytes)
  return high.map((isHigh, i) => isHigh && high[i - 1] !== true && high[i + 1] !== true)
}

/** About 20% of the series, at least 1 sample from n = 8; none for shorter (measure-mode) series. */
function autoWarmupSamples(n: number): number {
  return n >= 8 ? Math.max(1, Math.floor(n * 0.2)) : 0
}

/** Confidence that the slope is above 0, from the lower half of Sen's interval, capped by the trend test. */
function growthConfidence(slope: number, low: number, p: number): number {
  const sd = (slope - low) / Z_95
  const slopeConfidence = sd > 0 ? normalCdf(slope / sd) : slope > 0 ? 1 : 0.5
  return Math.min(slopeConfidence, 1 - p)
}

/** Confidence that the slope is below the floor, from the side of Sen's interval facing the floor. */
function belowFloorConfidence(slope: number, low: number, high: number, floor: number): number {
  const gap = floor - slope
  const sd = (gap >= 0 ? high - slope : slope - low) / Z_95
  if (sd > 0) return normalCdf(gap / sd)
  return gap > 0 ? 1 : gap < 0 ? 0 : 0.5
}

function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}

function validateOptions(
  n: number,
  x: readonly number[] | undefined,
  o: { floor: number; baseline: number; minSamples: number; requestedWindows: number; warmup: number },
): void {
  if (!(Number.isFinite(o.floor) && o.floor > 0)) {
    throw new RangeError(`analyzeLeakSeries: noiseFloorBytes must be a positive number of bytes; got ${o.floor}.`)
  }
  if (!Number.isFinite(o.baseline)) {
    throw new RangeError(`analyzeLeakSeries: baselineBytesPerStep must be a finite number of bytes; got ${o.baseline}.`)
  }
  if (!(Number.isInteger(o.minSamples) && o.minSamples >= 3)) {
    throw new RangeError(`analyzeLeakSeries: minSamples must be an integer ≥ 3; got ${o.minSamples}.`)
  }
  if (!(Number.isInteger(o.requestedWindows) && o.requestedWindows >= 2)) {
    throw new RangeError(`analyzeLeakSeries: windows must be an integer ≥ 2; got ${o.requestedWindows}.`)
  }
  if (!(Number.isInteger(o.warmup) && o.warmup >= 0)) {
    throw new RangeError(`analyzeLeakSeries: warmupSamples must be a non-negative integer; got ${o.warmup}.`)
  }
  if (x === undefined) return
  if (x.length !== n) {
    throw new RangeError(
      `analyzeLeakSeries: options.x has ${x.length} positions for ${n} samples; pass one per sample.`,
    )
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) {
      throw new RangeError(`analyzeLeakSeries: options.x[${i}] is ${x[i]}; positions must be finite numbers.`)
    }
    if (i > 0 && !(x[i]! > x[i - 1]!)) {
      throw new RangeError(
        `analyzeLeakSeries: options.x must be strictly increasing; x[${i}] = ${x[i]} follows x[${i - 1}] = ${x[i - 1]}.`,
      )
    }
  }
}
