import { median } from './median.js'

export interface WindowGrowth {
  /** Number of consecutive windows the samples were split into. */
  windows: number
  /** How many windows have a median above the previous window's by more than the threshold (at most windows - 1). */
  growing: number
  /** True when every window after the first grew. A single jump (lazy init) grows in one window only. */
  growsInEveryWindow: boolean
  /** Median of each window minus the median of the window before it, bytes (length windows - 1). */
  steps: number[]
}

/**
 * "Grows in every window" evidence (the rule BLeak and practitioners found reliable): split the samples
 * into `windows` consecutive, near-equal windows and compare each window's median with the previous one.
 * A window grows when its median exceeds the previous median by more than `thresholdBytes`.
 */
export function windowGrowth(bytes: readonly number[], windows: number, thresholdBytes: number): WindowGrowth {
  const n = bytes.length
  if (!Number.isInteger(windows) || windows < 2 || windows > n) {
    throw new RangeError(
      `windowGrowth: windows must be an integer from 2 to the number of samples (${n}); got ${windows}.`,
    )
  }
  const medians = windowBounds(n, windows).map(([start, end]) => median(bytes.slice(start, end)))
  const steps: number[] = []
  let growing = 0
  for (let w = 1; w < windows; w++) {
    const step = medians[w]! - medians[w - 1]!
    steps.push(step)
    if (step > thresholdBytes) growing++
  }
  return { windows, growing, growsInEveryWindow: growing === windows - 1, steps }
}

/** [start, end) index ranges of `windows` consecutive near-equal windows over n samples. */
export function windowBounds(n: number, windows: number): Array<[number, number]> {
  const bounds: Array<[number, number]> = []
  for (let w = 0; w < windows; w++) {
    bounds.push([Math.floor((w * n) / windows), Math.floor(((w + 1) * n) / windows)])
  }
  return bounds
}
