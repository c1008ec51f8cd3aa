import type { LeakVerdict, LoadTestResult } from '@qtests/core'
import type { AllocationSiteMeta, LeakMode } from '../shared/protocol.js'
import type { RunSampling } from '../shared/workerScalingSnapshot.js'

// report.json, schemaVersion 1 (see the contract). Fields beyond the contract's minimum are marked.

export interface TestReport {
  /** exactly Vitest's TestCase.fullName */
  name: string
  verdict: LeakVerdict
  /** hunt: post-GC growth per run of the test; null in measure mode or when not measured */
  bytesPerIteration: number | null
  confidence: number
  /** runs measured (hunt), 1 in measure mode, 0 when the test did not run */
  iterations: number
  /** (addition) why the verdict, in one sentence */
  reason: string
  /** (addition) hunt: post-GC bytes after each iteration */
  samples?: number[]
  /** (addition) hunt, leak and suspect tests: where what stayed alive was allocated, heaviest first */
  allocationSites?: AllocationSiteReport[]
  /** (addition) hunt: memory that test tooling (not the test's code) kept per run; never counted in the verdict */
  tooling?: ToolingReport[]
  /** (addition) hunt, leak and suspect tests: Node resources each run left open, by type (`Timeout`, `TCPSocketWrap`,
   * … as `process.getActiveResourcesInfo()` names them): what holds the memory until the timer fires or the socket closes */
  openPerRun?: Record<string, number>
}

/** Memory a test tool kept on a test's behalf, per run of the test. */
export interface ToolingReport {
  holder: 'vitest-mocks' | 'vitest-spies' | 'sinon-sandbox'
  /** what holds it, in words */
  what: string
  /** objects (mocks, fakes) the tool kept per run */
  objectsPerIteration: number
  /** bytes they kept per run, measured on a few runs; null when not measured */
  bytesPerIteration: number | null
  /** what to change to stop it */
  advice: string
}

export type AllocationSiteReport = AllocationSiteMeta

export interface FileReport {
  /** POSIX path relative to the Vitest root */
  file: string
  project: string | null
  verdict: LeakVerdict
  retainedBytes: number
  growthBytesPerTest: number | null
  confidence: number
  tests: TestReport[]
  /** (addition) why the verdict, in one sentence */
  reason: string
  /** (addition) the file's outcome in Vitest */
  state: 'passed' | 'failed' | 'skipped' | 'pending' | 'queued'
  /** (addition) measure: not probed in this run; an earlier run measured it clean and nothing it loads changed since */
  reused?: true
  /** (addition) measure: not probed in this run, `unknown`: its worker's probes had taken their share of its busy time */
  overBudget?: true
  /** (addition) measure: its memory grew, so its tests were repeated one by one to confirm or clear it */
  confirmed?: true
  /** (addition) measure: its cheap samples rose too late in the file for full GCs to confirm in the run */
  rose?: true
  /** (addition) measure: it grew, by no more than when an earlier run's confirmation cleared it (`at`), and its test
   * file is unchanged: clean without repeating its tests again */
  clearedEarlier?: { growthBytesPerTest: number; at: string }
  /** (addition) measure: `unknown` because every test failed when repeated, keeping little (they need an earlier test's
   * state): no run can confirm or clear it. With `at`, an earlier run found so (`at`) and, the test file unchanged
   * and its growth at most a quarter more than then, it was not repeated again */
  failedRepeats?: { growthBytesPerTest: number; at?: string }
  /** (addition) tests that ran but got no verdict (see each test's reason) */
  unmeasuredTests?: number
  /** (addition) watch mode: not rerun this time; the verdict is from the run that last ran it */
  earlierRun?: true
  /** (addition) measure: post-GC bytes and the test index after which each was taken */
  samples?: { atTest: number; bytes: number }[]
  /** (addition) full GCs forced in this file, and the time all forced GCs (young ones included) took;
   * measure: the young-generation GCs of the cheap samples, and their part of `gcMs` */
  probe?: { gcCount: number; gcMs: number; youngGcCount?: number; youngGcMs?: number; error?: string }
  /** (addition) when the file ran, ms since the run started, and for how long (its last run when retried) */
  startMs?: number
  durationMs?: number
  /** (addition) adaptive workers: the worker process that ran it (null: a thread worker) and the highest RSS
   * sampled while it ran (thread workers: the heap Vitest reported); null when not measured */
  worker?: number | null
  peakRssBytes?: number | null
  /** (addition) adaptive workers, thread workers: the thread's id, when its heap was read over time (`workers.threadMemory`) */
  thread?: number
  /** (addition) measure, and hunt in the user's own run: the event loop of the file's worker while the file ran: its longest stall, ms (a test
   * is blamed for no more than it ran; under 1 ms is not a stall), and the test that ran longest in it (null: none,
   * e.g. while the file loaded) */
  eventLoop?: {
    maxDelayMs: number
    test: string | null
    /** (addition) the file's longest stalls, longest first (at most 3), each with the test that ran longest in it */
    stalls?: { ms: number; test: string | null }[]
  }
  /** (addition) measure, and hunt in the user's own run: time the garbage collector paused the file's worker while it ran, ms, the probes'
   * forced GCs left out (those are in `probe.gcMs`) */
  gcMs?: number
}

export interface WorkersReport {
  adaptive: boolean
  min: number
  max: number
  peakConcurrency: number
  /** limit: files allowed to run at once; rssBytes: all workers' resident memory (null when not sampled) */
  timeline: { t: number; running: number; limit: number; rssBytes: number | null }[]
  /** (additions) heapMb: the heap the retry ran with, MiB; outcome: how the retry ended (`failed`: it ran to the end, with failing tests) */
  retries: {
    file: string
    reason: string
    heapMb?: number | null
    outcome?: 'pending' | 'passed' | 'failed' | 'crashed again' | 'cancelled'
  }[]
  /** (addition) the distinct limits in the order they were set, e.g. [2, 6, 3] */
  limits?: number[]
  /** (addition) the budget the workers' RSS was kept under, and the highest RSS sampled */
  memoryBudgetBytes?: number | null
  peakRssBytes?: number | null
  /** (addition) adaptive workers, forked workers: each worker process's RSS, sampled each tick (see `sampling`) while it
   * ran a file (at most 600 samples per worker; longer runs keep evenly spaced ones) */
  workerMemory?: { pid: number; samples: { t: number; rssBytes: number }[] }[]
  /** (addition) adaptive workers, thread workers (Node ≥ 22.16): each thread's heap, sampled as `workerMemory` is */
  threadMemory?: { thread: number; samples: { t: number; heapBytes: number }[] }[]
  /** (addition) adaptive workers: how the run was sampled — the `sampling.*` bounds in force (ms), the samples
   * taken, the rate at the end (1 = every `baseIntervalMs`) and each change of rate (ms since the run started) */
  sampling?: RunSampling
}

/**
 * (addition) Vitest's main process over the user's run (not the repeat run), sampled by @qtests/core's
 * PerformanceMonitor at the `sampling.*` rate. `cpuShare`: its CPU time over all cores (0..1), thread workers
 * included (they run in it); `eventLoopDelayMs`: how late a 50 ms timer fired; `gc`: collections and their pauses.
 */
export interface MainProcessReport {
  samples: number
  /** samples taken as a share of those the base interval would have taken (1 = never stepped down) */
  samplingRate: number
  durationMs: number
  peakHeapBytes: number
  peakRssBytes: number
  cpuShare: number
  eventLoopDelayMs: { p50: number; p99: number; max: number }
  gc: { count: number; pauseMs: number; maxPauseMs: number }
}

/** (addition) One `loadTest()` call: the test that made it and @qtests/core's LoadTestResult, as the test's meta had it. */
export interface LoadTestReport {
  file: string
  project: string | null
  /** Vitest's TestCase.fullName */
  test: string
  result: LoadTestResult
}

export interface QtestsReport {
  schemaVersion: 1
  tool: { name: 'qtests'; version: string }
  mode: LeakMode
  startedAt: string
  durationMs: number
  /** (addition) how the run ended in Vitest */
  outcome: 'passed' | 'failed' | 'interrupted'
  /** (addition) the settings the verdicts depend on */
  settings: { iterations: number | null; minBytesPerIteration: number; minBytesPerTest: number }
  summary: { files: number; leak: number; suspect: number; clean: number; unknown: number }
  files: FileReport[]
  workers: WorkersReport
  /** (addition) the run's `loadTest()` results, in file then call order; absent when there were none */
  loadTests?: LoadTestReport[]
  /** (addition) Vitest's main process over the run; absent when its monitor could not start (the terminal said why) */
  mainProcess?: MainProcessReport
}
