// Synthetic post-GC memory series for the leak statistics' tests.
import { mulberry32 } from './random.js'

export interface NoiseOptions {
  seed: number
  /** Uniform jitter of ± this many bytes on every sample. Default 2048. */
  jitterBytes?: number
  /** Chance that a sample carries a one-off upward outlier of 50–500 KB. Default 0. */
  outlierRate?: number
}

/** Heap a test worker starts from, so series look like real totals rather than deltas. */
export const START_BYTES = 24_000_000

/** n samples of START_BYTES + shape(i), with integer byte jitter and optional one-off outliers. */
export function noisySeries(n: number, shape: (i: number) => number, noise: NoiseOptions): number[] {
  const random = mulberry32(noise.seed)
  const jitter = noise.jitterBytes ?? 2048
  const outlierRate = noise.outlierRate ?? 0
  const samples: number[] = []
  for (let i = 0; i < n; i++) {
    let sample = START_BYTES + shape(i) + (random() * 2 - 1) * jitter
    if (random() < outlierRate) sample += 50_000 + random() * 450_000
    samples.push(Math.round(sample))
  }
  return samples
}

export const linear =
  (bytesPerStep: number) =>
  (i: number): number =>
    bytesPerStep * i

/** A bounded cache: grows by bytesPerStep for fillSteps steps, then stays full. */
export const saturating =
  (bytesPerStep: number, fillSteps: number) =>
  (i: number): number =>
    bytesPerStep * Math.min(i, fillSteps)

/** Lazy initialisation: flat, then one jump of heightBytes at step atStep, then flat. */
export const step =
  (heightBytes: number, atStep: number) =>
  (i: number): number =>
    i >= atStep ? heightBytes : 0

/** GC sawtooth: climbs amplitudeBytes over `period` steps, then drops back. */
export const sawtooth =
  (amplitudeBytes: number, period: number) =>
  (i: number): number =>
    ((i % period) / (period - 1)) * amplitudeBytes

export const flat = (): number => 0
