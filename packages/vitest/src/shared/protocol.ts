// The seam between the main process and the worker-side probes. Types and constants only: both
// sides import this file, neither shares code through it.

/**
 * hunt: samples in each confirming window of a repeated test. Runs are cheap and GCs are not: a confirming
 * window spreads its samples over twice the runs of the window before it, so that growth that stops (a cache
 * of a few hundred entries filling) is seen stopping within a few windows, for the GCs of one.
 */
export const CONFIRM_SAMPLES = 12

/**
 * hunt: the window run with V8's optimizing compilers off. V8 throws away optimized code as functions
 * deoptimize, so memory first falls (20 KB over 50 runs of a React test) before it is flat: unsampled runs
 * first, then a sample every few runs, the first one dropped. Runs beyond `maxRuns`, reserved for it.
 */
export const OPTIMIZER_OFF = { settleRuns: 24, stride: 4, warmupSamples: 1 } as const
export const OPTIMIZER_OFF_RUNS = OPTIMIZER_OFF.settleRuns + CONFIRM_SAMPLES * OPTIMIZER_OFF.stride

/** Key under which the plugin provides the worker configuration (`project.provide` / `inject`). */
export const WORKER_CONFIG_KEY = 'qtests:worker-config'

/** Key under which probes store their findings in `task.meta`. */
export const META_KEY = 'qtests'

/** Key of a file's event-loop stalls and GC time in hunt's own run, which has no probe meta (see `FileEventLoop`). */
export const EVENT_LOOP_META_KEY = 'qtestsEventLoop'

declare module 'vitest' {
  interface ProvidedContext {
    [WORKER_CONFIG_KEY]: WorkerConfig
  }
  interface TaskMeta {
    /** What the leak probes recorded: `TestProbeMeta` on a test, `FileProbeMeta` on a test file. */
    [META_KEY]?: TestProbeMeta | FileProbeMeta
    [EVENT_LOOP_META_KEY]?: FileEventLoop
  }
}

export type LeakMode = 'measure' | 'hunt' | 'off'

export interface WorkerConfig {
  /** `hunt` only in the repeat run: the user's own run never repeats a test (see repeatRun/); `watch` is hunt's
   * own run: no probe, only the event-loop watch (stalls and GC time, see worker/eventLoopWatch.ts) */
  mode: LeakMode | 'watch'
  /** hunt: sampled runs per test in the first window */
  iterations: number
  /** hunt: runs per test at most after its warm-up, confirming windows included */
  maxRuns: number
  /** hunt: time the confirming windows of one test may take, ms */
  confirmMaxMs: number
  /** hunt (measure's confirmation): once a test of a file is a confirmed leak, its other tests are not repeated */
  stopFileAtFirstLeak?: boolean
  /** hunt (measure's confirmation): a test under this many bytes per run after a few runs is cleared there
   * (see HuntSettings.quickClearBytes) */
  quickClearBytes?: number
  /** hunt: growth per run below which nothing is a leak, bytes (decides whether allocation sites are worth reading) */
  minBytesPerIteration: number
  /** hunt: mean bytes between allocations the heap sampler records; 0 turns allocation sites off */
  allocationSampleBytes: number
  /** measure: share of the worker's elapsed time that the probes may take once full GCs are needed, 0..1, all forced GCs counted
   * (cheap samples alone stay within `CHEAP_SAMPLE_SHARE`, see worker/probeBudget.ts) */
  measureBudget: number
  /** measure: growth per test in the cheap samples that calls for confirmation, bytes */
  measureSuspicionBytesPerTest: number
  /** measure: absolute paths of test files an earlier run measured clean and that load nothing changed since: not probed */
  reuseCleanFiles?: string[]
  /** the major version of the Vitest running: what it keeps per run of a test differs (see measureHarnessCost) */
  vitestMajor: number
}

/** Memory that test tooling, not the test's code, kept from a run; the repeat run releases it before sampling. */
export interface ToolingHold {
  /**
   * `vitest-mocks`: Vitest 4.1's mock registry (every `vi.fn()`/`vi.spyOn()` until the worker ends); `vitest-spies`:
   * Vitest 5's spy restorers (each spy until `vi.restoreAllMocks()`); `sinon-sandbox`: sinon's default sandbox
   */
  holder: 'vitest-mocks' | 'vitest-spies' | 'sinon-sandbox'
  /** objects (mocks, fakes) created by the sampled runs and held only by the tool */
  objects: number
  /** bytes they kept, measured over `measuredRuns` of the sampled runs (a second GC before the release) */
  bytes?: number
  measuredRuns?: number
}

/** What a test's probe records (in `TestCase.meta().qtests`). */
export interface TestProbeMeta {
  /** hunt: post-GC bytes (heap used + external) after each sampled run */
  samples?: number[]
  /** hunt: the run (counted from the end of the warm-up) after which each sample was taken */
  sampleRuns?: number[]
  /** hunt: samples in each window: the first (one per run), then each confirming window (further apart) */
  windows?: number[]
  /** samples taken (hunt), 1 in measure mode */
  iterations: number
  /** hunt: runs after the warm-up */
  runs?: number
  /** hunt: unsampled runs after the first, before the first sample */
  warmupRuns?: number
  /**
   * hunt: how confirming windows ended, when the first window grew; `compiled code`: it kept growing, but not in
   * a last window with V8's optimizing compilers off; `given back`: memory fell in that window (what the runs kept
   * was released later, whatever V8 compiled)
   */
  confirmation?: 'kept growing' | 'levelled off' | 'out of runs' | 'compiled code' | 'given back'
  /** measure's confirmation: it kept under `barBytes` per run over `runs` runs, after `afterRuns` unmeasured ones, so
   * it was cleared there, without windows (see worker/huntedTest.ts, QUICK_CLEAR_RUNS); `atMost`: read after one full
   * GC, an upper bound (BOUND_CHECKS) */
  quickClear?: { runs: number; afterRuns: number; bytesPerRun: number; barBytes: number; atMost?: true }
  /** hunt: the index in `windows` of the window run with V8's optimizing compilers off, when one ran */
  optimizerOffWindow?: number
  /** what Vitest itself retains per run of this test (listener, queued hook events), measured in the worker */
  harnessBytesPerIteration?: number
  /** hunt, growing tests: where the memory still alive after the runs was allocated */
  allocationSites?: AllocationSiteMeta[]
  /** hunt: runs of the repeat run that failed (they are measured all the same) */
  failures?: { runs: number; of: number; first: { iteration: number; message: string } }
  /** a leak's idle check (measure's confirmation; hunt, when the test left a timer or socket open) — what the windows
   * kept, and what a wait with nothing running gave back */
  idle?: { waitedMs: number; keptBytes: number; givenBackBytes: number }
  /** hunt: the repeats stopped after runs that timed out in a row (see `TIMEOUTS_TO_STOP` in worker/huntedTest.ts) */
  stoppedOnTimeouts?: true
  /** hunt: memory test tooling held, released before each sample */
  tooling?: ToolingHold[]
  /**
   * hunt: Node resources (`process.getActiveResourcesInfo()`: Timeout, TCPSocketWrap, …) each run left open, per run,
   * from the windows' first sample to their last; only types that grew by at least `OPEN_PER_RUN_MIN` a run
   * (worker/huntedTest.ts)
   */
  openPerRun?: Record<string, number>
  /** why this test has no verdict */
  unmeasured?: string
}

/** Where memory that stayed alive was allocated: the function, as V8's sampling heap profiler sees it. */
export interface AllocationSiteMeta {
  /** path of the source file: absolute from the worker, POSIX and relative to the Vitest root in the report */
  file: string
  /** 1-based line, 0-based column in the source file, of the function that allocated */
  line: number
  column: number
  functionName: string
  /** sampled bytes still alive after the runs that this function allocated */
  bytes: number
  /** their share of all sampled bytes still alive, 0..1 */
  share: number
}

/** What a file's probe records (in `TestModule.meta().qtests`). */
export interface FileProbeMeta {
  /** measure: bytes after a full GC, taken after selected tests once the cheap samples grew */
  samples: number[]
  /** measure: index of the test (in run order) after which each full sample was taken */
  atTest: number[]
  /** measure: old-generation bytes (and memory outside the heap) after a young-generation GC, an upper bound
   * on retained memory, after the tests in `screenAt`, until they rose steadily; the first is the primer */
  screen: number[]
  screenAt: number[]
  /** measure: the cheap readings rose steadily, so full GCs were planned */
  confirming?: boolean
  /** tests that ran in the file */
  testsRun: number
  /** full GCs the probes forced in this file (a settled sample is two) */
  gcCount: number
  /** time all forced GCs took in this file, young-generation ones included, ms */
  gcMs: number
  /** measure: young-generation GCs forced for the cheap samples, and their share of `gcMs`, ms */
  youngGcCount: number
  youngGcMs: number
  /** a probe failure, reported once instead of crashing the run */
  probeError?: string
  /** measure: not probed, because an earlier run measured it clean and nothing it loads changed since */
  reused?: boolean
  /** measure: not probed, because its cheap samples would have taken the worker's probes past their share of its time */
  overBudget?: boolean
  /** measure: absolute paths of the files the worker loaded through Vitest by the end of this file (non-isolated
   * workers include earlier files'), so that a clean verdict can be reused while none of them changes */
  modules?: string[]
  /** measure: the event loop's longest stall while the file ran, the test that ran longest in it, and the GC
   * time outside the probes' forced GCs (see worker/eventLoopWatch.ts) */
  eventLoop?: FileEventLoop
}

/** A file's event-loop stalls and GC time (see worker/eventLoopWatch.ts). */
export interface FileEventLoop {
  maxDelayMs: number
  test: string | null
  stalls?: { ms: number; test: string | null }[]
  gcMs: number
}

/** The major version in a Vitest version string ('5.1.2' → 5), for the plugin, its config adapter and the reporter. */
export function majorOf(version: string): number {
  return Number(version.split('.')[0])
}
