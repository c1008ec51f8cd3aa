// Pure: what measure mode's probes have cost one worker, and whether the next ones fit. No GC, no clock.

import { CHEAP_SAMPLE_SHARE } from '../shared/measureRules.js'

/**
 * A full GC's cost per MB of heap in use, ms, before the worker has taken one, in its first file (the modules just
 * loaded): 0.33–0.53 measured (medians, zod and jotai). Overestimated, a young worker's rise goes to the far dearer
 * repeat run instead (corpus/README.md, Vitest 5).
 */
const FIRST_FILE_GC_MS_PER_MB = 0.5

/** The same in a worker that ran files before (`isolate: false`): 1–1.5 (date-fns: 85–120 ms a settled sample at 41 MB). */
const REUSED_GC_MS_PER_MB = 1

/** What a settled full sample (two full GCs, see `sampleAfterGc`) is expected to cost on a heap of this size, ms. */
export function fullSampleEstimateMs(heapUsedBytes: number, firstFile = false): number {
  return 2 * (heapUsedBytes / (1024 * 1024)) * (firstFile ? FIRST_FILE_GC_MS_PER_MB : REUSED_GC_MS_PER_MB)
}

/**
 * The probe time of one worker: every young and full GC the probes forced, as measured. Cheap samples stay within
 * `CHEAP_SAMPLE_SHARE` of the worker's busy time; full GCs within `fullShare` (`leaks.measureBudget`) of its elapsed
 * time, both counting everything spent.
 */
export class ProbeBudget {
  readonly fullShare: number
  #spentMs = 0
  #youngGcs = 0
  #youngGcMs = 0
  #fullSampleMs: number | undefined
  #files = 0

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

  /** A test file starts in this worker (the first one finds a fresh heap). */
  fileStarted(): void {
    this.#files++
  }

  fullSampleTaken(ms: number): void {
    this.#spentMs += ms
    this.#fullSampleMs = ms
  }

  /**
   * Whether a file's `samples` cheap samples, at the worker's mean young-GC cost, fit when its event loop has been
   * busy `busyMs`. Busy, not elapsed — at most 3% of its elapsed time, less while it waits: a reused worker that waits
   * for the main process to transform what it imports (valibot's: 60% of its time) spent 3% of the run on probes
   * while doing 40% of its work. A worker's first probed file always gets them: they also measure what a young GC
   * costs there, and a fresh worker (one file per worker, a thread started a moment ago) would otherwise never probe
   * anything.
   */
  cheapSamplesFit(samples: number, busyMs: number): boolean {
    if (samples === 0 || this.#youngGcs === 0) return true
    return this.#spentMs + (samples * this.#youngGcMs) / this.#youngGcs <= CHEAP_SAMPLE_SHARE * busyMs
  }

  /**
   * Whether one more full sample fits at `elapsedMs`: it is expected to cost what the last one did, or, before the
   * worker has taken any, what `fullSampleEstimateMs` gives for `heapUsedBytes`.
   */
  fullSampleFits(elapsedMs: number, heapUsedBytes: number): boolean {
    const expectedMs = this.#fullSampleMs ?? fullSampleEstimateMs(heapUsedBytes, this.#files <= 1)
    return this.#spentMs + expectedMs <= this.fullShare * elapsedMs
  }
}
