// The plugin's options as the user writes them and as resolved (`plugin/options.ts` validates and resolves
// them); types only, so that the reporter and the pool can read the resolved options without the plugin.

import type { SamplingBounds } from '@qtests/core/monitor'
import type { LeakMode } from './protocol.js'

export type FailOn = 'none' | 'leak' | 'suspect'

/** Options of `qtests()`. Every key is optional: `qtests()` alone is a useful setup. */
export interface QtestsOptions {
  leaks?: {
    /**
     * `measure` (default): tests run once; files are judged from a few post-GC samples within a small
     * time budget. `hunt`: each test runs `iterations` times with a post-GC sample after each, and gets
     * its own verdict. `off`: no probes, the report still lists the files.
     */
    mode?: LeakMode
    /** hunt: runs per test, the real run included. Default 24, at least 8 (fewer cannot prove a trend). */
    iterations?: number
    /** `leak` or `suspect` make the run fail (exit code 1) when such a verdict is found. Default `none`. */
    failOn?: FailOn
    /** Growth per iteration (hunt) below which nothing is called a leak, in bytes. Default 1024. */
    minBytesPerIteration?: number
    /** hunt: record where growing tests allocated what they kept (V8's sampling heap profiler). Default true. */
    allocationSites?: boolean
    /** Growth per test (measure) below which a file is not called leaking, in bytes. Default 16384. */
    minBytesPerTest?: number
    /**
     * measure: share of a worker's time that the probes' forced GCs may take once confirming full GCs are
     * needed, young ones counted, 0 to 1. Default 0.5. Spent only on files whose cheap samples rise
     * steadily; the cheap samples (up to 5 young-generation GCs a file) stay within 3% of the worker's time. A rise
     * the full GCs cannot check goes to confirmation (a repeat of the file's tests after or beside the run).
     */
    measureBudget?: number
    /**
     * measure: how long confirming growing files may go on after your run ends, as a share of the run's duration
     * (0 to 100; 0.05: 5%), counted from when its Vitest has started (1–3 s; during your run where files may run side
     * by side). Default: twice the run, at least 90 s. When set, nothing is confirmed beside your run. Files it does
     * not reach stay `suspect`; with clean verdicts kept, the next run skips the files it cleared (a budget too small
     * for one file's repeats clears none, in any run). 0: no confirmation.
     */
    confirmBudget?: number
    /**
     * measure: skip the probes for files an earlier run measured clean while nothing they load has changed
     * (`<report dir>/cache/measure.json`). Default true; false probes every file every run.
     */
    reuseClean?: boolean
  }
  /** Adaptive worker scaling: how many test files run at once, decided while the suite runs. */
  workers?: {
    /**
     * Default true. Wraps Vitest's own workers (forks, threads, vmForks, vmThreads) behind a gate whose
     * limit follows throughput, CPU and memory; a worker that crashes has its file retried once, alone.
     */
    adaptive?: boolean
    /** Fewest files running at once. Default 1. */
    min?: number
    /**
     * Most files running at once. Default: 16 (CPU and memory hold the limit below it); an explicit `maxWorkers`
     * (CLI or config) caps it, and `fileParallelism: false` turns scaling off.
     */
    max?: number
    /**
     * The run's resident memory (Vitest's main process and its workers) stays under this: bytes, or a
     * string like '2GB' (2 × 1000³ bytes), '2GiB' (2 × 1024³) or '60%' (of system memory) — units read as
     * Vitest reads `vmMemoryLimit`. Default '60%'.
     */
    memoryBudget?: number | string
  }
  /**
   * How often adaptive workers sample the run (memory of each worker, CPU, Vitest's main thread). The rate steps
   * down while Vitest's main thread is busy (100 → 80 → 60 → 40%) and back up when it is idle; near the memory
   * budget it samples at the shortest interval.
   */
  sampling?: {
    /** Interval at the full rate, ms. Default 250. */
    baseIntervalMs?: number
    /** Shortest interval, used near the memory budget, ms. Default `baseIntervalMs`. */
    minIntervalMs?: number
    /** Longest interval, ms (the lowest rate is base ÷ max). Default 2.5 × `baseIntervalMs`. */
    maxIntervalMs?: number
  }
  report?: {
    /** Where report.json goes. Default `<vitest root>/.qtests`. Relative paths are from the Vitest root. */
    dir?: string
    /** Write report.json. Default true. */
    json?: boolean
    /** Write report.html. Default true. */
    html?: boolean
    /** The section printed after Vitest's summary: `summary` (default), `full` (every file), or false. */
    terminal?: 'summary' | 'full' | false
  }
}

export interface ResolvedOptions {
  leaks: {
    mode: LeakMode
    iterations: number
    failOn: FailOn
    minBytesPerIteration: number
    allocationSites: boolean
    minBytesPerTest: number
    measureBudget: number
    /** undefined: the default rule (twice the run, at least 90 s) */
    confirmBudget: number | undefined
    reuseClean: boolean
  }
  workers: { adaptive: boolean; min?: number; max?: number; memoryBudget?: number | string }
  /** the bounds in force: adaptive workers' ticks and the main process's monitor */
  sampling: SamplingBounds
  report: {
    dir?: string
    /** where `dir` came from, for messages: the option, QTESTS_REPORT_DIR, or the default */
    dirFrom: 'report.dir' | 'QTESTS_REPORT_DIR (environment)' | 'report.dir (default)'
    json: boolean
    html: boolean
    terminal: 'summary' | 'full' | false
  }
}

/** The run's sampling interval at the full rate, ms (`sampling.baseIntervalMs`); core's `resolveSamplingBounds` derives the other bounds from it. */
export const DEFAULT_SAMPLING_INTERVAL_MS = 250
