// Pure: what measure mode's probes have cost one worker, and whether the next ones fit. No GC, no clock.

import { CHEAP_SAMPLE_SHARE } from '../shared/measureRules.js'

/**
 * A full GC's cost per MB of heap in use, before the worker has taken one, ms: about 1 on a plain heap
 * (field notes), 2–3 on a reused worker's heap full of modules (date-fns: 85–120 ms at 41 MB).
 */
const FULL_GC_MS_PER_MB = 1

/** What a settled full sample (two full GCs, see `sampleAfterGc`) is expected to cost on a heap of this size, ms. */
export function fullSampleEstimateMs(heapUsedBytes: number): number {
  return 2 * (heapUsedBytes / (1024 * 1024)) * FULL_GC_MS_PER_MB
}

/**
 * The probe time of one worker: every young and full GC the probes forced, as measured, against the
 * worker's elapsed time. Cheap samples stay within `CHEAP_SAMPLE_SHARE`; full GCs within `fullShare`
 * (`leaks.measureBudget`), both counting everything spent.
 */
export class ProbeBudget {
  readonly fullShare: number
  #spentMs = 0
  #youngGcs = 0
  #youngGcMs = 0
  #fullSampleMs: number | undefined

  constructor(fullShare: number) {
    this.fullShare = fullShare
  }

  /** all probe GC time so far, ms */
  get spentMs(): number {
    return this.#spentMs
  }

  youngGcTaken(ms: number): void {
    this.#spentMs += ms
    this.#youngGcs++
    this.#youngGcMs += ms
  }

  fullSampleTaken(ms: number): void {
    this.#spentMs += ms
    this.#fullSampleMs = ms
  }

  /**
   * Whether a file's `samples` cheap samples, at the worker's mean young-GC cost, fit at `elapsedMs` of the worker's
   * time. A worker's first probed file always gets them: they also measure what a young GC costs there, and a
   * fresh worker (one file per worker, a thread started a moment ago) would otherwise never probe anything.
   */
  cheapSamplesFit(samples: number, elapsedMs: number): boolean {
    if (samples === 0 || this.#youngGcs === 0) return true
    return this.#spentMs + (samples * this.#youngGcMs) / this.#youngGcs <= CHEAP_SAMPLE_SHARE * elapsedMs
  }

  /**
   * Whether one more full sample fits at `elapsedMs`: it is expected to cost what the last one did, or
   * `firstEstimateMs` (see `fullSampleEstimateMs`) before the worker has taken any.
   */
  fullSampleFits(elapsedMs: number, firstEstimateMs: number): boolean {
    return this.#spentMs + (this.#fullSampleMs ?? firstEstimateMs) <= this.fullShare * elapsedMs
  }
}
