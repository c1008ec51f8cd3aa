import { createRequire } from 'node:module'
import path from 'node:path'
import type { TraceMap } from '@jridgewell/trace-mapping'
import { inject, TestRunner, vi } from 'vitest'
import type { RunnerTask, RunnerTestCase, RunnerTestFile, RunnerTestSuite } from 'vitest'
import {
  EVENT_LOOP_META_KEY,
  type FileProbeMeta,
  META_KEY,
  OPTIMIZER_OFF_RUNS,
  type ToolingHold,
  WORKER_CONFIG_KEY,
  type WorkerConfig,
} from '../shared/protocol.js'
import { busyMs, heapStatistics, nextMacrotask, now, setTimer } from './captured.js'
import type { HeapSampler } from './heapSampler.js'
import { EventLoopWatch } from './eventLoopWatch.js'
import { type HuntTools, loadHuntTools, siteResolver } from './huntTools.js'
import type { HuntedTest, HuntStep, RunOutcome } from './huntedTest.js'
import { type HuntModules, loadHuntModules } from './huntModules.js'
import { emptyFileMeta, type MeasureProbes, MeasuredFile } from './measureFile.js'
import {
  allowListeners,
  type HarnessCost,
  type FullSample,
  type MemorySample,
  measureHarnessCost,
  sampleAfterGc,
  sampleAfterGcSwept,
  sampleAfterMinorGc,
} from './memoryProbe.js'
import type { OptimizingTier } from './optimizer.js'
import { type KeysRead, unreadFrom } from './keysRead.js'
import { ProbeBudget } from './probeBudget.js'
import type { ToolingRegistry } from './tooling.js'
import { freezeResourceTimings, thawResourceTimings } from './resourceTimings.js'
import { errorMessage, shrinkError } from './testErrors.js'
import {
  evaluatedModules,
  forgetAttempts,
  forgetRunListener,
  hookLevels,
  importedModuleFiles,
  loadedModuleFiles,
  resultNote,
  skippedItself,
  sourceMapOf,
  stopRepeats,
} from './vitestRunner.js'
import { VitestUpdates } from './vitestUpdates.js'

type RunnerLike = {
  onBeforeCollect?(paths: string[]): unknown
  onBeforeTryTask?(test: RunnerTask, options?: { retry: number; repeats: number }): unknown
  onBeforeRunSuite?(suite: RunnerTestSuite): unknown
  onAfterRunSuite?(suite: RunnerTestSuite): unknown
  onBeforeRunTask?(test: RunnerTask): unknown
  onAfterRunTask?(test: RunnerTask): unknown
  onAfterRetryTask?(test: RunnerTestCase, options: { retry: number; repeats: number }): unknown
  runTask?(test: RunnerTestCase): Promise<void>
}
// biome-ignore lint/suspicious/noExplicitAny: runner constructors take Vitest's serialized config
type RunnerClass = new (...args: any[]) => RunnerLike

interface FileState {
  meta: FileProbeMeta
  /** measure mode's sampling of a probed file; `meta` is its `meta` */
  measure?: MeasuredFile
  /** hunt: the test whose leak was confirmed first (see `stopFileAtFirstLeak`) */
  leakConfirmedBy?: string
  /**
   * hunt's idle check: what tests left open (`leftOpenPattern`) whose memory was still held after the wait. A later
   * test leaving the same open is not waited for again: a file's tests often share the pattern (a helper that leaves
   * a timer pending each time), and each wait costs 6 s.
   */
  heldThoughOpen?: Set<string>
}

/** A file that gets no probes; `why` says so in its meta. */
function unprobedFile(
  why: Pick<FileProbeMeta, 'reused'> | Pick<FileProbeMeta, 'probeError'> | Pick<FileProbeMeta, 'overBudget'>,
): FileState {
  return { meta: { ...emptyFileMeta(), ...why } }
}

/** Node's CommonJS module cache, shared by every `require` in this thread. */
const requireCache = createRequire(import.meta.url).cache

// Vitest's and V8's own one-off allocations settle after a few dozen runs of the first test a worker hunts
// (measured: 8 runs left the first test of a file at +1.4 KB per run; 32 left nothing above the noise).
const FIRST_WARMUP_RUNS = 32
// Every other test's own code paths settle too: on public suites a test's runs 2–25 grew 1.1–1.8 KB each
// (feedback vectors, inline caches), then tens of bytes per run.
const WARMUP_RUNS = 24
// Warm-up runs stop once they have taken this long (the test and its hooks); a slow test is then sampled
// from where it is, and the confirming windows decide whether what remains was warm-up.
const WARMUP_MAX_MS = 1000

// measure's confirmation: runs from the quick clear's settled sample to its first bound, for a worker's first test.
const FIRST_TEST_RUNS_TO_FIRST_BOUND = 24
// measure's confirmation: a test's runs go on to a later bound check while they took less than this many times the
// last settled sample's GCs (and at least BOUND_RUNS_MIN_MS): runs cheaper than a full GC spread its warm-up thinner.
const BOUND_RUNS_PER_GC = 2
const BOUND_RUNS_MIN_MS = 50
// Samples the worker takes on its own before its first test's first sample (see #warmUpProbes).
const PROBE_WARMUP_SAMPLES = 8
// Sampled runs that create tooling objects (mocks) get a settled sample before the release and a settled one after
// (two or three more GCs), to size what the tool held: this many counted sizings per tool and test.
const TOOLING_MEASURED_RUNS = 3
// A sizing across which V8's code spaces moved by more than this is not counted (see #sizeTooling); a test's runs try
// at most this many sizings per tool, counted or not.
const CODE_MOVED_BYTES = 64 * 1024
const TOOLING_SIZINGS_TRIED = 2 * TOOLING_MEASURED_RUNS

function isFile(suite: RunnerTestSuite): suite is RunnerTestFile {
  return suite.file === suite
}

function runnableTests(suite: RunnerTestSuite): RunnerTestCase[] {
  const tests: RunnerTestCase[] = []
  for (const task of suite.tasks) {
    if (task.type === 'test' && (task.mode === 'run' || task.mode === 'queued')) tests.push(task)
    else if (task.type === 'suite') tests.push(...runnableTests(task))
  }
  return tests
}

interface HuntRun {
  test: HuntedTest
  /** the message of the error the run under way threw, taken before the error was shrunk */
  error?: string
  /** when the run under way started (its hooks included), ms */
  startedAt: number
  harnessBytes: number
}

/**
 * Adds the leak probes to a Vitest runner class. Probes never change a test's outcome and never throw into
 * the runner: a probe failure is recorded once in the file's meta and probing stops.
 *
 * `measure` runs in the user's own run and only samples memory. `hunt` runs only in the repeat run, a
 * separate Vitest process that the plugin starts after the user's run (see repeatRun/): there each test is
 * run many times, so nothing it does can reach what the user sees.
 */
export function withLeakProbes<T extends RunnerClass>(Base: T): T {
  return class QtestsRunner extends Base {
    #config: WorkerConfig | undefined
    #file: FileState | undefined
    #hunts = new WeakMap<RunnerTestCase, HuntRun>()
    /** what the last full sample's GCs took, ms */
    #lastGcMs = 0
    #broken: string | undefined
    #harness: HarnessCost | undefined
    /** hunt only, loaded when a hunt starts: measure mode's workers do not pay for loading them */
    #huntTools: HuntTools | undefined
    #sampler: HeapSampler | undefined
    #samplerBroken = false
    #sourceMaps = new Map<string, TraceMap | null>()
    #warmedUp = false
    /** hunt only (see huntModules.ts): loaded before its first file is collected */
    #hunt: HuntModules | undefined
    /** V8's optimizing compilers this worker runs with; a growing test gets a window without them (hunt) */
    #tiers: OptimizingTier[] | undefined
    #tooling: ToolingRegistry[] | undefined
    #reuse: Set<string> | undefined
    /** measure: every GC the probes forced in this worker, against its time */
    #budget: ProbeBudget | undefined
    /** the project's files seen in Node's require cache, and how many of its keys were read (`#requiredFiles`) */
    readonly #required = new Set<string>()
    #requireCacheRead: KeysRead = { count: 0, last: undefined }
    /** hunt, Vitest 4.1: a run's abort listener was not found to remove (see `forgetRunListener`) */
    #runListenerMissed = false
    /** hunt: Vitest's task-update messages to the main process that it has not acknowledged yet */
    #updates = new VitestUpdates()
    /** measure: the event loop's stalls and GC time per file, started with the worker's first file */
    #loop: EventLoopWatch<RunnerTask> | undefined
    /** what the last settled sample's GCs took, ms */
    #settledGcMs = 0

    // biome-ignore lint/suspicious/noExplicitAny: see RunnerClass
    constructor(...args: any[]) {
      super(...args)
      // Without hunt mode Vitest must call the test function itself, exactly as without the plugin.
      if (this.#mode() !== 'hunt') (this as RunnerLike).runTask = undefined
    }

    #mode(): WorkerConfig['mode'] {
      if (!this.#config) {
        try {
          this.#config = inject(WORKER_CONFIG_KEY)
        } catch {
          this.#config = undefined
        }
        this.#config ??= {
          mode: 'off',
          iterations: 1,
          maxRuns: 1,
          confirmMaxMs: 0,
          minBytesPerIteration: 0,
          allocationSampleBytes: 0,
          measureBudget: 0,
          measureSuspicionBytesPerTest: 0,
          vitestMajor: 4,
        }
      }
      return this.#broken ? 'off' : this.#config.mode
    }

    #probe(what: string, action: () => void): void {
      if (this.#broken) return
      const startedAt = now()
      this.#loop?.probeStarted()
      try {
        action()
      } catch (error) {
        this.#broken = `${what}: ${errorMessage(error)}`
        if (this.#file) this.#file.meta.probeError = this.#broken
      } finally {
        this.#loop?.probeEnded(startedAt, now())
      }
    }

    /** The heap sampler is a bonus: when it fails, sites go missing and everything else carries on. */
    #sampling(action: () => void) {
      if (this.#samplerBroken || !this.#config?.allocationSampleBytes || !this.#sampler) return
      try {
        action()
      } catch {
        this.#samplerBroken = true
      }
    }

    /**
     * Cheap pre-check, so the profile is only read for tests the verdict may call growing: the median
     * step of the last window, which one odd sample (a late-freed buffer) cannot move.
     */
    #mayGrow(hunted: HuntedTest, harnessBytes: number): boolean {
      if (hunted.confirmedLeak) return true
      const window = hunted.samples.slice(0, this.#config!.iterations)
      if (window.length < 4) return false
      const steps = window.slice(1).map((bytes, i) => bytes - window[i]!)
      steps.sort((a, b) => a - b)
      const median = steps[steps.length >> 1]!
      return median - harnessBytes >= this.#config!.minBytesPerIteration / 2
    }

    /** A full sample's bytes. */
    #sample(settle = false): number {
      return this.#fullSample(settle).bytes
    }

    /** A full sample (`settle`: see sampleAfterGc), counted in the file's accounts. */
    #fullSample(settle: boolean): FullSample {
      const sample = sampleAfterGc(settle)
      this.#counted(sample)
      return sample
    }

    /** Counts a full sample's GCs in the file's accounts; returns its bytes. */
    #counted({ bytes, gcMs, collections }: MemorySample): number {
      this.#lastGcMs = gcMs
      if (this.#file) {
        this.#file.meta.gcCount += collections
        this.#file.meta.gcMs += gcMs
      }
      return bytes
    }

    #probeBudget(): ProbeBudget {
      this.#budget ??= new ProbeBudget(this.#config!.measureBudget)
      return this.#budget
    }

    /** What every sample waits for: Vitest's messages answered, WeakRefs' targets let go, the inspector's console dropped. */
    async #readyToSample() {
      freezeResourceTimings()
      await this.#warmUpProbes()
      await this.#updates.answered()
      // V8 keeps what a WeakRef points at until the job ends (Vitest 5 holds mocks that way): one macrotask first.
      await nextMacrotask()
      // What V8's inspector kept of console messages is our session's, not the test's (~13 µs, beside a full GC).
      this.#sampling(() => this.#sampler!.discardConsoleEntries())
    }

    /** measure: what a file's sampling (`MeasuredFile`) asks of this worker; every GC is counted in the budget */
    #measureProbes: MeasureProbes = {
      cheapSample: () => {
        const sample = sampleAfterMinorGc()
        this.#probeBudget().youngGcTaken(sample.gcMs)
        return sample
      },
      fullSample: () => {
        const bytes = this.#counted(sampleAfterGcSwept())
        this.#probeBudget().fullSampleTaken(this.#lastGcMs)
        return bytes
      },
      affordable: () => this.#probeBudget().fullSampleFits(now(), heapStatistics().used_heap_size),
    }

    override async onBeforeCollect(paths: string[]) {
      // The repeat run's output goes nowhere (see silenceConsole); set before setup and test files are imported,
      // so that one saving `console.warn` to restore it later saves the silent one.
      if (this.#mode() === 'hunt') {
        const hunt = await this.#loadHunt()
        if (hunt) this.#probe('console', () => hunt.silenceConsole())
      }
      await super.onBeforeCollect?.(paths)
    }

    /** hunt: loads its code once (huntModules.ts); failing to is a probe failure, said once as any other */
    async #loadHunt(): Promise<HuntModules | undefined> {
      if (this.#hunt || this.#broken) return this.#hunt
      try {
        this.#hunt = await loadHuntModules()
        this.#tiers = this.#hunt.processTiers()
      } catch (error) {
        this.#broken = `loading the hunt's code: ${errorMessage(error)}`
      }
      return this.#hunt
    }

    override async onBeforeRunSuite(suite: RunnerTestSuite) {
      if (this.#mode() === 'hunt' && isFile(suite)) await this.#loadHunt()
      const mode = this.#mode()
      if (mode === 'hunt' && !this.#huntTools && this.#config!.allocationSampleBytes) {
        try {
          this.#huntTools = await loadHuntTools()
          this.#sampler = new this.#huntTools.HeapSampler()
        } catch {
          this.#samplerBroken = true
        }
      }
      // the budget's first full-GC estimate depends on whether the worker ran files before (measure only)
      if (mode === 'measure' && isFile(suite)) this.#probeBudget().fileStarted()
      if (mode === 'measure' && isFile(suite) && this.#reusedClean(suite.filepath)) {
        // An earlier run measured this file clean and nothing it loads changed: no probes, no cost.
        this.#file = unprobedFile({ reused: true })
      } else if (this.#broken && isFile(suite)) {
        // Later files of a worker whose probes failed say so too, rather than look unmeasured for no reason.
        this.#file = unprobedFile({ probeError: this.#broken })
      } else if ((mode === 'measure' || mode === 'hunt') && isFile(suite)) {
        this.#probe('file start', () => {
          const tests = runnableTests(suite)
          const measure =
            mode === 'measure' ? new MeasuredFile(tests.length, this.#config!.measureSuspicionBytesPerTest) : undefined
          if (measure && !this.#probeBudget().cheapSamplesFit(measure.plannedSamples, busyMs())) {
            // Its young GCs would take the probes past their share of this worker's busy time: a later run measures it.
            this.#file = unprobedFile({ overBudget: true })
            return
          }
          this.#file = { meta: measure?.meta ?? emptyFileMeta(), measure }
          if (mode === 'hunt') {
            // Per-test verdicts need one test at a time: interleaved tests would share their growth.
            for (const test of tests) test.concurrent = false
            this.#harness ??= measureHarnessCost()
            this.#tooling ??= this.#hunt!.vitestMockRegistries(vi)
            this.#findSinon()
            this.#updates.track(this)
          }
        })
      }
      if ((mode === 'measure' || mode === 'watch') && isFile(suite)) {
        this.#loop ??= new EventLoopWatch(fullName)
        // What happened before this file (an earlier file, the worker starting) is not this file's.
        this.#loop.takeFile()
      }
      await super.onBeforeRunSuite?.(suite)
    }

    override async onBeforeRunTask(test: RunnerTask) {
      await super.onBeforeRunTask?.(test)
      if (this.#loop && test.type === 'test') this.#loop.testStarted(test)
      if (this.#mode() !== 'hunt' || test.type !== 'test' || test.mode !== 'run') return
      const confirmedBy = this.#file?.leakConfirmedBy
      if (confirmedBy !== undefined) {
        // Measure's confirmation needs one confirmed leak per file: the rest of the file is not repeated.
        test.meta[META_KEY] = {
          iterations: 0,
          unmeasured: `not repeated: ${confirmedBy} confirmed its file's leak first`,
        }
        test.mode = 'skip'
        return
      }
      const modules = this.#hunt
      if (!modules) return
      this.#probe('test start', () => {
        const config = this.#config!
        // The first test a worker hunts also warms up Vitest's and the probes' own code paths.
        const warmupRuns = this.#warmedUp ? WARMUP_RUNS : FIRST_WARMUP_RUNS
        this.#warmedUp = true
        const harness = this.#harness ?? { perRunBytes: 0, perHookEventBytes: 0 }
        // Vitest 4.1 leaves an abort listener per run of a test until the test ends (Vitest 5 removes it): runTask
        // removes it too, unless it was not where expected.
        const perRunBytes = config.vitestMajor >= 5 || !this.#runListenerMissed ? 0 : harness.perRunBytes
        const harnessBytes = perRunBytes + 2 * hookLevels(test) * harness.perHookEventBytes
        const hunted = new modules.HuntedTest(
          {
            iterations: config.iterations,
            maxRuns: config.maxRuns,
            warmupRuns,
            warmupMaxMs: WARMUP_MAX_MS,
            confirmMaxMs: config.confirmMaxMs,
            floorBytes: config.minBytesPerIteration,
            harnessBytes,
            optimizerCheck: (this.#tiers ?? []).length > 0,
            quickClearBytes: config.quickClearBytes,
            idleCheckMs: modules.IDLE_CHECK_MS,
            // hunt (measure's confirmation waits before every leak, one per file)
            openBeforeFirstRun: config.quickClearBytes === undefined ? openResources() : undefined,
            // A worker's first test also settles Vitest's own code: on jotai's suite, when these runs came before the
            // quick clear's first sample, with 8 none of 11 files' first tests was cleared; with 24, 9 of 12.
            runsToFirstBound:
              warmupRuns === FIRST_WARMUP_RUNS ? FIRST_TEST_RUNS_TO_FIRST_BOUND : modules.RUNS_TO_FIRST_BOUND,
            boundRunsMaxMs: Math.max(BOUND_RUNS_MIN_MS, BOUND_RUNS_PER_GC * this.#settledGcMs),
          },
          now,
        )
        // Vitest reads these once per test: enough runs for every window; the test ends early when done.
        test.repeats = warmupRuns + config.maxRuns + (hunted.optimizerCheck ? OPTIMIZER_OFF_RUNS : 0)
        test.retry = 0
        this.#hunts.set(test, { test: hunted, startedAt: 0, harnessBytes })
        // Vitest adds one abort listener per repeat; repeats are ours, so the warning would be too.
        if (test.context?.signal) allowListeners(test.repeats + 20, test.context.signal)
      })
    }

    override onBeforeTryTask(test: RunnerTask, options?: { retry: number; repeats: number }) {
      const hunt = this.#hunts.get(test as RunnerTestCase)
      if (hunt) {
        hunt.startedAt = now()
        if (this.#tooling) for (const registry of this.#tooling) registry.mark()
      }
      return super.onBeforeTryTask?.(test, options)
    }

    override async runTask(test: RunnerTestCase) {
      const hunt = this.#hunts.get(test)
      // Vitest 4.1 keeps a listener per run holding what the run returned until the test ends; repeats are ours.
      const forget = hunt && this.#config!.vitestMajor < 5 ? forgetRunListener(test.context?.signal) : undefined
      try {
        if (super.runTask) return await super.runTask(test)
        const fn = TestRunner.getTestFn(test) as unknown as (() => unknown) | undefined
        if (!fn) throw new Error('Test function is not found.')
        await fn()
      } catch (error) {
        const hunt = this.#hunts.get(test)
        if (hunt) {
          hunt.error = errorMessage(error)
          // Vitest keeps each run's promise until the test ends (an abort listener per run closes over it),
          // and a failed run's promise keeps its error: stack and diff, 1–3.5 KB a run that is not the test's.
          shrinkError(error)
        }
        throw error
      } finally {
        if (forget && !forget()) this.#runListenerMissed = true
      }
    }

    override async onAfterRetryTask(test: RunnerTestCase, options: { retry: number; repeats: number }) {
      await super.onAfterRetryTask?.(test, options)
      const hunt = this.#hunts.get(test)
      if (!hunt || hunt.test.done || !test.result) return
      const result = test.result
      let step = 'stop' as HuntStep
      this.#probe('sample', () => {
        forgetAttempts(result)
        const skipped = skippedItself(result)
        // `it.fails` tests fail on purpose in every run.
        const outcome: RunOutcome = skipped ? 'skip' : result.state === 'fail' && !test.fails ? 'fail' : 'pass'
        const note = resultNote(result)
        step = hunt.test.runFinished(
          outcome,
          now() - hunt.startedAt,
          outcome === 'fail' ? (hunt.error ?? errorMessage(result.errors)) : note,
        )
        hunt.error = undefined
        if (!skipped) {
          // A failed run is measured like any other; its errors must not pile up in the test's result.
          result.errors = undefined
          result.state = 'pass'
        }
      })
      // A bound is one full GC: a second one settles the sample that may follow.
      let collected = false
      if (step === 'bound') {
        await this.#readyToSample()
        this.#probe('bound', () => {
          this.#releaseTooling(false)
          const bytes = this.#sample(false)
          collected = true
          step = hunt.test.addBound(bytes)
        })
      }
      if (step === 'sample') {
        // Right after a bound, nothing may run between its GC and the one that settles it.
        if (!collected) await this.#readyToSample()
        this.#probe('sample', () => {
          const first = hunt.test.firstSample
          // After unsampled runs (warm-up, a quick clear's) the garbage of all of them is still there, and the memory
          // of dead ArrayBuffers is only given back after a second GC: without it the first sample stood high. After
          // a bound's GC, one more is that second GC.
          const settle = hunt.test.afterUnsampledRuns && !collected
          const { holds, sized, before } = this.#releaseTooling(!hunt.test.quickClearing)
          // Sized against a settled reading, this one settles too: read after one GC, the size swung by ±8 KB a run.
          const after = this.#fullSample(settle || before !== undefined)
          const bytes = after.bytes
          if (settle) this.#settledGcMs = this.#lastGcMs
          if (before) this.#sizeTooling(sized, before, after)
          // Read after the memory reading: what it allocates is garbage for the next GC.
          const open = hunt.test.quickClearing ? undefined : openResources()
          step = hunt.test.addSample(bytes, holds, open)
          if (first) this.#sampling(() => this.#sampler!.start(this.#config!.allocationSampleBytes))
        })
      } else if (this.#tooling) {
        // Warm-up runs' mocks are not counted, but need not pile up either.
        for (const registry of this.#tooling) registry.release()
      }
      if (step === 'idle') {
        // Before a leak is called: nothing runs for a while, then one more sample.
        step = 'stop'
        const leftOpen = hunt.test.leftOpenPattern()
        const file = this.#file
        if (leftOpen && file?.heldThoughOpen?.has(leftOpen)) hunt.test.skipIdleCheck()
        else {
          await new Promise((resolve) => setTimer(resolve, hunt.test.idleWaitMs))
          await this.#readyToSample()
          this.#probe('sample', () => {
            step = hunt.test.addIdleSample(this.#sample(true))
            if (leftOpen && file && hunt.test.confirmedLeak) {
              file.heldThoughOpen ??= new Set()
              file.heldThoughOpen.add(leftOpen)
            }
          })
        }
      }
      if (step === 'stop' || this.#broken) this.#finishHunt(test, hunt, true)
      else this.#probe('sample', () => this.#hunt!.setOptimizing(!hunt.test.optimizerOff, this.#tiers ?? []))
    }

    /**
     * Takes what test tooling created in this run out of its registry. On the first few sampled runs of a test that
     * created something (`size`), a settled sample before the release (`before`) sizes what the tool alone held.
     * With one GC on each side, a spy of ~4 KB read anywhere from -8 KB to +9 KB a run; with two, mostly 1–9 KB.
     */
    #releaseTooling(size = true): { holds: ToolingHold[]; sized: ToolingHold[]; before?: FullSample } {
      const found = (this.#tooling ?? [])
        .map((registry) => ({ registry, added: registry.added() }))
        .filter(({ added }) => added > 0)
      if (found.length === 0) return { holds: [], sized: [] }
      const measure = size
        ? found.filter(
            ({ registry }) =>
              (this.#toolingMeasured.get(registry.holder) ?? 0) < TOOLING_MEASURED_RUNS &&
              (this.#toolingTried.get(registry.holder) ?? 0) < TOOLING_SIZINGS_TRIED,
          )
        : []
      const before = measure.length ? this.#fullSample(true) : undefined
      const sized: ToolingHold[] = []
      const holds = found.map(({ registry }): ToolingHold => {
        const hold: ToolingHold = { holder: registry.holder, objects: registry.release() }
        if (measure.some((m) => m.registry === registry)) sized.push(hold)
        return hold
      })
      return { holds, sized, before }
    }

    /**
     * What the tools alone held in this run: the sample before their release less the one after, shared by objects.
     * Not when V8 dropped compiled code between the two (its code spaces moved by ~225 KB): the old generation then
     * moved by up to ~240 KB either way as well (a mock holding 25 KB read once -238 KB, once +185 KB).
     */
    #sizeTooling(sized: readonly ToolingHold[], before: FullSample, after: FullSample) {
      for (const hold of sized) this.#toolingTried.set(hold.holder, (this.#toolingTried.get(hold.holder) ?? 0) + 1)
      if (Math.abs(before.codeBytes - after.codeBytes) > CODE_MOVED_BYTES) return
      const objects = sized.reduce((sum, hold) => sum + hold.objects, 0) || 1
      for (const hold of sized) {
        hold.measuredRuns = 1
        hold.bytes = Math.max(0, Math.round(((before.bytes - after.bytes) * hold.objects) / objects))
        this.#toolingMeasured.set(hold.holder, (this.#toolingMeasured.get(hold.holder) ?? 0) + 1)
      }
    }

    #toolingMeasured = new Map<string, number>()
    #toolingTried = new Map<string, number>()
    #probesWarm = false

    /**
     * Our own sampling code runs for the first time when a worker's first test is sampled, and V8 keeps what
     * it compiles for code that gets hot (feedback vectors, optimised code's metadata) in the heap we measure:
     * heap snapshots of that test's first window showed ~12 KB of it, ~500 B a run. So the sampling path runs
     * on its own first: a test that is not there, through enough runs and windows for V8 to settle.
     */
    async #warmUpProbes() {
      if (this.#probesWarm) return
      this.#probesWarm = true
      const config = this.#config!
      const rehearsal = new this.#hunt!.HuntedTest(
        {
          iterations: config.iterations,
          maxRuns: config.maxRuns,
          warmupRuns: 0,
          warmupMaxMs: 0,
          confirmMaxMs: Number.POSITIVE_INFINITY,
          floorBytes: config.minBytesPerIteration,
          harnessBytes: 0,
          optimizerCheck: false,
        },
        now,
      )
      // Growth that confirming windows see levelling off: every window and its analysis run once.
      for (let run = 0; run < config.maxRuns && !rehearsal.done; run++) {
        if (rehearsal.runFinished('pass', 0) === 'sample') rehearsal.addSample(Math.min(run, 60) * 4096)
        this.#releaseTooling(false)
        await this.#updates.answered()
      }
      for (let i = 0; i < PROBE_WARMUP_SAMPLES; i++) sampleAfterGc(i === 0)
    }

    /** sinon's default sandbox, once a test file has loaded sinon (looked for at each file's start until found). */
    #findSinon() {
      if (this.#tooling?.some((registry) => registry.holder === 'sinon-sandbox')) return
      const sandbox = this.#hunt!.sinonSandbox(this.#hunt!.loadedSinon(evaluatedModules(this)))
      if (sandbox) this.#tooling?.push(sandbox)
    }

    /** Records what the hunt found; `early` ends Vitest's repeats of the test now (it reports it skipped). */
    #finishHunt(test: RunnerTestCase, hunt: HuntRun, early: boolean) {
      if (this.#hunts.get(test) !== hunt) return
      this.#hunts.delete(test)
      this.#toolingMeasured.clear()
      this.#toolingTried.clear()
      // Even when the probes broke: the rest of the worker's tests must not run unoptimized.
      try {
        this.#hunt?.setOptimizing(true, this.#tiers ?? [])
      } catch {}
      thawResourceTimings()
      const meta = hunt.test.meta()
      this.#sampling(() => {
        const profile = this.#sampler!.stop(!meta.unmeasured && this.#mayGrow(hunt.test, hunt.harnessBytes))
        if (profile)
          meta.allocationSites = this.#huntTools!.allocationSites(
            profile,
            siteResolver(this.#huntTools!, this.#sourceMaps, (file) => sourceMapOf(this, file)),
          )
      })
      if (this.#broken && !meta.unmeasured) meta.unmeasured = `probes failed: ${this.#broken}`
      test.meta[META_KEY] = meta
      if (this.#config!.stopFileAtFirstLeak && hunt.test.confirmedLeak && this.#file)
        this.#file.leakConfirmedBy ??= test.name
      // The repeat run's outcome is nobody's: a skipped result is how Vitest's loop is told to stop.
      if (early && test.result) stopRepeats(test.result)
    }

    override async onAfterRunTask(test: RunnerTask) {
      if (test.type === 'test') {
        this.#loop?.testEnded()
        const hunt = this.#hunts.get(test)
        if (hunt) this.#finishHunt(test, hunt, false)
        const file = this.#file
        if (file && test.mode === 'run') {
          if (file.measure) {
            const index = file.measure.testFinished()
            if (index !== undefined) this.#probe('sample', () => file.measure!.sampleAfter(index, this.#measureProbes))
          } else {
            file.meta.testsRun++
          }
        }
      }
      await super.onAfterRunTask?.(test)
    }

    #reusedClean(file: string): boolean {
      this.#reuse ??= new Set(this.#config?.reuseCleanFiles)
      return this.#reuse.has(file)
    }

    /**
     * The files a test file loaded, through Vitest's module runner (it, the setup files and their imports) or
     * Node's `require` (a `.cjs` helper that requires another): what a measure verdict depends on. A reused
     * worker holds every earlier file's modules too: listing them all grew measure.json to 16k entries on date-fns.
     */
    #loadedFiles(testFile: string): string[] {
      const setupFiles = (this as { config?: { setupFiles?: string[] } }).config?.setupFiles ?? []
      const own = importedModuleFiles(this, [testFile, ...setupFiles]) ?? loadedModuleFiles(this)
      const files = new Set<string>()
      for (const file of own) if (isProjectFile(file)) files.add(file)
      for (const file of this.#requiredFiles()) files.add(file)
      return [...files]
    }

    /**
     * The project's files in Node's `require` cache, read on from where the last file left off: in a reused jsdom
     * worker the cache holds thousands of node_modules files, and reading them all at each file's end was ~25 ms a
     * worker on valibot. A file dropped from the cache stays listed, which only makes reuse more careful.
     */
    #requiredFiles(): Set<string> {
      const keys = Object.keys(requireCache)
      for (let i = unreadFrom(keys, this.#requireCacheRead); i < keys.length; i++)
        if (isProjectFile(keys[i]!)) this.#required.add(keys[i]!)
      this.#requireCacheRead = { count: keys.length, last: keys.at(-1) }
      return this.#required
    }

    override async onAfterRunSuite(suite: RunnerTestSuite) {
      if (isFile(suite) && this.#file) {
        if (this.#mode() === 'measure' && !this.#file.meta.reused && !this.#file.meta.overBudget)
          this.#probe('file end', () => {
            this.#file!.meta.modules = this.#loadedFiles(suite.filepath)
          })
        if (this.#loop) {
          const file = this.#file
          await this.#loop.settled()
          file.meta.eventLoop = this.#loop.takeFile()
        }
        suite.meta[META_KEY] = this.#file.meta
        this.#file = undefined
      } else if (isFile(suite) && this.#loop && this.#mode() === 'watch') {
        await this.#loop.settled()
        suite.meta[EVENT_LOOP_META_KEY] = this.#loop.takeFile()
      }
      await super.onAfterRunSuite?.(suite)
    }
  }
}

export default withLeakProbes(TestRunner as unknown as RunnerClass)

/** A file of the project (not a package's, not a virtual module): what a measure verdict depends on. */
function isProjectFile(file: string): boolean {
  return path.isAbsolute(file) && !file.includes('/node_modules/')
}

/** Vitest's TestCase.fullName: the suites' names and the test's, joined by ' > '. */
function fullName(task: RunnerTask): string {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== task.file; suite = suite.suite) names.unshift(suite.name)
  return names.join(' > ')
}

/** Node resources keeping the event loop's attention (timers, sockets, …) by type: what a run may leave open. */
function openResources(): Record<string, number> {
  const open: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) open[type] = (open[type] ?? 0) + 1
  return open
}
