import { setMaxListeners } from 'node:events'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TraceMap } from '@jridgewell/trace-mapping'
import { inject, TestRunner } from 'vitest'
import type { RunnerTask, RunnerTestCase, RunnerTestFile, RunnerTestSuite } from 'vitest'
import { type FileProbeMeta, META_KEY, type TestProbeMeta, WORKER_CONFIG_KEY, type WorkerConfig } from '../shared/protocol.js'
import type { SiteResolver } from './allocationSites.js'
import type { HeapSampler } from './heapSampler.js'
import { type HarnessCost, measureHarnessCost, sampleAfterGc, sampleAfterMinorGc } from './memoryProbe.js'
import { emptyFileMeta, type MeasureProbes, MeasuredFile } from './measureFile.js'

type RunnerLike = {
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

interface HuntState {
  /** the last `repeats` index that belongs to the user's own runs */
  lastRealRepeat: number
  /** runs after the real ones that are not sampled: the worker's own code still warms up */
  warmupRuns: number
  /** the test function's own time in warm-up runs so far, in ms */
  warmupMs: number
  /** the `repeats` index of the run under way */
  currentRepeat: number
  harnessBytes: number
  samples: number[]
  outcome?: { state: unknown; errors: unknown; retryCount: unknown }
  stopped?: string
}

interface FileState {
  meta: FileProbeMeta
  /** measure mode's sampling of a probed file; `meta` is its `meta` */
  measure?: MeasuredFile
}

/** A file that gets no probes; `why` says so in its meta. */
function unprobedFile(why: Pick<FileProbeMeta, 'reused'> | Pick<FileProbeMeta, 'probeError'>): FileState {
  return { meta: { ...emptyFileMeta(), ...why } }
}

type HuntTools = Awaited<ReturnType<typeof loadHuntTools>>

async function loadHuntTools() {
  const [{ originalPositionFor, TraceMap }, { allocationSites }, { HeapSampler }] = await Promise.all([
    import('@jridgewell/trace-mapping'),
    import('./allocationSites.js'),
    import('./heapSampler.js'),
  ])
  return { originalPositionFor, TraceMap, allocationSites, HeapSampler }
}

// The package's own files: never a user's allocation site.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const EST_GC_MS = 5
// Vitest's and V8's own one-off allocations settle after a few dozen runs of the first test (measured:
// 8 runs left the first test of a file at +1.4 KB per run; 32 left nothing above the noise).
const WORKER_WARMUP_RUNS = 32
// A slow test stops being called once its warm-up runs have taken this long. Only the test's own time
// counts: a busy machine slows our GCs and Vitest's messages far more than the test, and a warm-up cut
// short by those left the first test of a file growing ~2 KB per run (seen with 4 workers on 2 cores).
const WARMUP_MAX_MS = 1000
// How long a sample waits for the main process to acknowledge Vitest's task updates (see below).
const UPDATES_WAIT_MS = 2000

// Captured before any test can install fake timers.
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

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

/** Suite levels whose beforeEach or afterEach hooks run around the test: each queues task events per run. */
function hookLevels(test: RunnerTestCase): number {
  let levels = 0
  for (let suite: RunnerTestSuite | undefined = test.suite ?? test.file; suite; suite = suite.suite ?? (suite === suite.file ? undefined : suite.file)) {
    const hooks = TestRunner.getSuiteHooks(suite) as unknown as { beforeEach: unknown[]; afterEach: unknown[] }
    if (hooks.beforeEach.length > 0) levels++
    if (hooks.afterEach.length > 0) levels++
  }
  return levels
}

// Every fetch() adds a PerformanceResourceTiming to a global buffer that keeps up to 250 of them: a
// bounded buffer that 24 runs cannot see filling, so it looked like ~600 B leaked per fetch. While our
// extra runs go on, the buffer takes no new entries (they are dropped, as when it is full).
const DEFAULT_RESOURCE_TIMING_BUFFER = 250
let resourceTimingsFrozen = false

function freezeResourceTimings() {
  if (typeof performance.setResourceTimingBufferSize !== 'function') return
  performance.setResourceTimingBufferSize(performance.getEntriesByType('resource').length)
  resourceTimingsFrozen = true
}

function thawResourceTimings() {
  if (!resourceTimingsFrozen) return
  resourceTimingsFrozen = false
  performance.setResourceTimingBufferSize(DEFAULT_RESOURCE_TIMING_BUFFER)
}

function toPath(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url
}

function retryCount(test: RunnerTestCase): number {
  const retry = test.retry as number | { count?: number } | undefined
  return typeof retry === 'number' ? retry : (retry?.count ?? 0)
}

function errorMessage(errors: unknown): string {
  const first = Array.isArray(errors) ? errors[0] : errors
  const message = (first as { message?: string } | undefined)?.message ?? String(first)
  return message.split('\n')[0]!.slice(0, 200)
}

/**
 * Adds the leak probes to a Vitest runner class. Probes never change a test's outcome and never
 * throw into the runner: a probe failure is recorded once in the file's meta and probing stops.
 */
export function withLeakProbes<T extends RunnerClass>(Base: T): T {
  return class QtestsRunner extends Base {
    #config: WorkerConfig | undefined
    #file: FileState | undefined
    #hunts = new WeakMap<RunnerTestCase, HuntState>()
    #gcMs = 0
    #lastGcMs = EST_GC_MS
    #broken: string | undefined
    #harness: HarnessCost | undefined
    /** hunt only, loaded when a hunt starts: measure mode's workers do not pay for loading them */
    #huntTools: HuntTools | undefined
    #sampler: HeapSampler | undefined
    #samplerBroken = false
    #sourceMaps = new Map<string, TraceMap | null>()
    #warmedUp = false
    #reuse: Set<string> | undefined
    /** Vitest's task-update messages to the main process that it has not acknowledged yet */
    #pendingUpdates = new Set<Promise<unknown>>()
    #tracksUpdates = false

    // biome-ignore lint/suspicious/noExplicitAny: see RunnerClass
    constructor(...args: any[]) {
      super(...args)
      // Without hunt mode Vitest must call the test function itself, exactly as without the plugin.
      if (this.#mode() !== 'hunt') (this as RunnerLike).runTask = undefined
    }

    #mode(): WorkerConfig['mode'] {
      if (!this.#config) {
        try {
          this.#config = inject(WORKER_CONFIG_KEY as never) as WorkerConfig | undefined
        } catch {
          this.#config = undefined
        }
        this.#config ??= { mode: 'off', iterations: 1, minBytesPerIteration: 0, allocationSampleBytes: 0, measureBudget: 0, measureSuspicionBytesPerTest: 0 }
      }
      return this.#broken ? 'off' : this.#config.mode
    }

    #probe(what: string, action: () => void): void {
      if (this.#broken) return
      try {
        action()
      } catch (error) {
        this.#broken = `${what}: ${errorMessage(error)}`
        if (this.#file) this.#file.meta.probeError = this.#broken
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
     * step, which one odd sample (a late-freed buffer) cannot move.
     */
    #mayGrow(hunt: HuntState): boolean {
      const n = hunt.samples.length
      if (n < 4) return false
      const steps = hunt.samples.slice(1).map((bytes, i) => bytes - hunt.samples[i]!)
      steps.sort((a, b) => a - b)
      const median = steps[steps.length >> 1]!
      return median - hunt.harnessBytes >= this.#config!.minBytesPerIteration / 2
    }

    #siteResolver(): SiteResolver {
      const moduleRunner = (this as { moduleRunner?: { evaluatedModules?: { getModuleSourceMapById(id: string): { map: unknown } | null } } })
        .moduleRunner
      return {
        isUserFile: (url) =>
          url !== '' && !url.startsWith('node:') && !url.includes('/node_modules/') && (url.startsWith('/') || url.startsWith('file:')) && !toPath(url).startsWith(packageRoot),
        toSource: (url, line, column) => {
          const file = toPath(url)
          let map = this.#sourceMaps.get(file)
          if (map === undefined) {
            const decoded = moduleRunner?.evaluatedModules?.getModuleSourceMapById(file)
            map = decoded?.map ? new this.#huntTools!.TraceMap(decoded.map as never, file) : null
            this.#sourceMaps.set(file, map)
          }
          const original = map ? this.#huntTools!.originalPositionFor(map, { line, column }) : undefined
          if (!original || original.line == null) return { file, line, column }
          return { file: original.source ? toPath(original.source) : file, line: original.line, column: original.column ?? 0 }
        },
      }
    }

    #sample(settle = false): number {
      const { bytes, gcMs, collections } = sampleAfterGc(settle)
      this.#gcMs += gcMs
      this.#lastGcMs = gcMs
      if (this.#file) {
        this.#file.meta.gcCount += collections
        this.#file.meta.gcMs += gcMs
      }
      return bytes
    }

    /** measure: a full GC is affordable while all of them stay within the budget share of this worker's time */
    #affordable(): boolean {
      return this.#gcMs + this.#lastGcMs <= this.#config!.measureBudget * performance.now()
    }

    /** measure: what a file's sampling (`MeasuredFile`) asks of this worker */
    #measureProbes: MeasureProbes = {
      cheapSample: sampleAfterMinorGc,
      fullSample: () => this.#sample(true),
      affordable: () => this.#affordable(),
    }

    /**
     * hunt: Vitest sends task updates to the main process every 100 ms or so, and each message stays
     * in memory (promise, RPC bookkeeping) until its answer is read — which, during the repeats of a
     * synchronous test, is only after the test ends. On a busy machine the runs are slow, more messages
     * go out per run, and clean tests grew 1–3 KB per run from them (test/hunt.test.ts). So Vitest's send
     * is wrapped once per worker (its messages are unchanged) and each sample first lets the answers in.
     */
    #trackVitestUpdates() {
      if (this.#tracksUpdates) return
      this.#tracksUpdates = true
      const runner = this as { onTaskUpdate?: (...args: unknown[]) => unknown }
      const send = runner.onTaskUpdate
      if (typeof send !== 'function') return
      const pending = this.#pendingUpdates
      runner.onTaskUpdate = function (this: unknown, ...args: unknown[]) {
        const sent = send.apply(this, args)
        // Checked by shape, not `instanceof Promise`, which fails for a promise from another realm.
        if (sent && typeof (sent as PromiseLike<unknown>).then === 'function') {
          const answered = Promise.resolve(sent)
          pending.add(answered)
          const settle = () => pending.delete(answered)
          answered.then(settle, settle)
        }
        return sent
      }
    }

    async #vitestUpdatesAnswered(): Promise<void> {
      if (this.#pendingUpdates.size === 0) return
      let timer: ReturnType<typeof setTimeout> | undefined
      // Bounded: a main process that never answers (cancelled run) must not hang the test.
      await Promise.race([Promise.allSettled([...this.#pendingUpdates]), new Promise((resolve) => (timer = realSetTimeout(resolve, UPDATES_WAIT_MS)))])
      realClearTimeout(timer)
    }

    override async onBeforeRunSuite(suite: RunnerTestSuite) {
      const mode = this.#mode()
      if (mode === 'hunt' && !this.#huntTools && this.#config!.allocationSampleBytes) {
        try {
          this.#huntTools = await loadHuntTools()
          this.#sampler = new this.#huntTools.HeapSampler()
        } catch {
          this.#samplerBroken = true
        }
      }
      if (mode === 'measure' && isFile(suite) && this.#reusedClean(suite.filepath)) {
        // An earlier run measured this file clean and nothing it loads changed: no probes, no cost.
        this.#file = unprobedFile({ reused: true })
      } else if (this.#broken && isFile(suite)) {
        // Later files of a worker whose probes failed say so too, rather than look unmeasured for no reason.
        this.#file = unprobedFile({ probeError: this.#broken })
      } else if (mode !== 'off' && isFile(suite)) {
        this.#probe('file start', () => {
          const tests = runnableTests(suite)
          const measure = mode === 'measure' ? new MeasuredFile(tests.length, this.#config!.measureSuspicionBytesPerTest) : undefined
          this.#file = { meta: measure?.meta ?? emptyFileMeta(), measure }
          if (mode === 'hunt') {
            // Per-test verdicts need one test at a time: interleaved tests would share their growth.
            for (const test of tests) test.concurrent = false
            this.#harness ??= measureHarnessCost()
            this.#trackVitestUpdates()
          }
        })
      }
      await super.onBeforeRunSuite?.(suite)
    }

    override async onBeforeRunTask(test: RunnerTask) {
      await super.onBeforeRunTask?.(test)
      if (this.#mode() !== 'hunt' || test.type !== 'test' || test.mode !== 'run' || test.fails) return
      this.#probe('test start', () => {
        const lastRealRepeat = test.repeats ?? 0
        // The first test a worker hunts also warms up Vitest's and the probes' own code paths.
        const warmupRuns = this.#warmedUp ? 0 : WORKER_WARMUP_RUNS
        this.#warmedUp = true
        test.repeats = lastRealRepeat + warmupRuns + this.#config!.iterations - 1
        const harness = this.#harness ?? { perRunBytes: 0, perHookEventBytes: 0 }
        const harnessBytes = harness.perRunBytes + 2 * hookLevels(test) * harness.perHookEventBytes
        this.#hunts.set(test, { lastRealRepeat, warmupRuns, warmupMs: 0, harnessBytes, currentRepeat: 0, samples: [] })
        // Vitest adds one abort listener per repeat; repeats are ours, so the warning would be too.
        if (test.context?.signal) setMaxListeners(test.repeats + 20, test.context.signal)
      })
    }

    override onBeforeTryTask(test: RunnerTask, options?: { retry: number; repeats: number }) {
      const hunt = this.#hunts.get(test as RunnerTestCase)
      if (hunt && options) hunt.currentRepeat = options.repeats
      return super.onBeforeTryTask?.(test, options)
    }

    override async runTask(test: RunnerTestCase) {
      const hunt = this.#hunts.get(test)
      if (hunt?.stopped) return
      if (hunt && hunt.currentRepeat > hunt.lastRealRepeat && hunt.currentRepeat <= hunt.lastRealRepeat + hunt.warmupRuns) {
        // Warm-up runs stop calling a slow test once they have taken long enough; Vitest still counts them.
        if (hunt.warmupMs > WARMUP_MAX_MS) return
        const start = performance.now()
        try {
          return await this.#callTest(test)
        } finally {
          hunt.warmupMs += performance.now() - start
        }
      }
      return this.#callTest(test)
    }

    async #callTest(test: RunnerTestCase) {
      if (super.runTask) return super.runTask(test)
      const fn = TestRunner.getTestFn(test) as unknown as (() => unknown) | undefined
      if (!fn) throw new Error('Test function is not found.')
      await fn()
    }

    async onAfterRetryTask(test: RunnerTestCase, options: { retry: number; repeats: number }) {
      await super.onAfterRetryTask?.(test, options)
      const hunt = this.#hunts.get(test)
      if (!hunt || hunt.stopped || !test.result) return
      let sampleNow = false
      this.#probe('sample', () => {
        const result = test.result!
        if (options.repeats <= hunt.lastRealRepeat) {
          // Until the user's own runs are over, the last one decides the outcome we restore.
          hunt.outcome = { state: result.state, errors: result.errors, retryCount: result.retryCount }
          if (options.repeats < hunt.lastRealRepeat) return
          if (result.state === 'fail') {
            // Vitest may try it again (retry); only the last failed try ends the real run.
            if (options.retry >= retryCount(test)) hunt.stopped = 'the test failed, so it was not repeated'
            return
          }
          freezeResourceTimings()
        } else if (result.state === 'fail') {
          hunt.stopped =
            hunt.outcome?.state === 'fail'
              ? 'the test failed, so it was not repeated'
              : `failed when repeated (iteration ${hunt.samples.length + 1}): ${errorMessage(result.errors)}`
          return
        }
        // The first sample closes the real run (or the warm-up runs); each later one, one more run.
        // Earlier warm-up runs are not sampled: their GCs would only slow the warm-up down.
        sampleNow = options.repeats >= hunt.lastRealRepeat + hunt.warmupRuns
      })
      if (!sampleNow) return
      await this.#vitestUpdatesAnswered()
      this.#probe('sample', () => {
        // After unsampled warm-up runs the garbage of all of them is still there, and the memory of dead
        // ArrayBuffers is only given back after a second GC: without it the first sample stood high.
        hunt.samples.push(this.#sample(hunt.samples.length === 0 && hunt.warmupRuns > 0))
        if (hunt.samples.length === 1) this.#sampling(() => this.#sampler!.start(this.#config!.allocationSampleBytes))
      })
    }

    override async onAfterRunTask(test: RunnerTask) {
      if (test.type === 'test') {
        const hunt = this.#hunts.get(test)
        if (hunt && test.result) {
          // Our repeats must not change what the user sees: restore the real runs' outcome.
          if (hunt.outcome) Object.assign(test.result, hunt.outcome)
          thawResourceTimings()
          test.result.repeatCount = hunt.lastRealRepeat
          const meta: TestProbeMeta = { samples: hunt.samples, iterations: hunt.samples.length, harnessBytesPerIteration: hunt.harnessBytes }
          this.#sampling(() => {
            const profile = this.#sampler!.stop(!hunt.stopped && this.#mayGrow(hunt))
            if (profile) meta.allocationSites = this.#huntTools!.allocationSites(profile, this.#siteResolver())
          })
          if (hunt.stopped) meta.unmeasured = hunt.stopped
          ;(test.meta as Record<string, unknown>)[META_KEY] = meta
        }
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

    /** The files Vitest's module runner evaluated in this worker: what a measure verdict depends on. */
    #loadedFiles(): string[] {
      const evaluated = (this as { moduleRunner?: { evaluatedModules?: { fileToModulesMap?: Map<string, unknown> } } }).moduleRunner
        ?.evaluatedModules?.fileToModulesMap
      if (!evaluated) return []
      return [...evaluated.keys()].filter((file) => path.isAbsolute(file) && !file.includes('/node_modules/'))
    }

    override async onAfterRunSuite(suite: RunnerTestSuite) {
      if (isFile(suite) && this.#file) {
        if (this.#mode() === 'measure' && !this.#file.meta.reused) this.#probe('file end', () => {
          this.#file!.meta.modules = this.#loadedFiles()
        })
        ;(suite.meta as Record<string, unknown>)[META_KEY] = this.#file.meta
        this.#file = undefined
      }
      await super.onAfterRunSuite?.(suite)
    }
  }
}

export default withLeakProbes(TestRunner as unknown as RunnerClass)
