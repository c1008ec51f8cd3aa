// Pure: the course of one test in the repeat run (hunt). No Vitest objects, no GC: the runner asks what to
// do after each run of the test and hands in the samples it took.

// The leak statistics alone: the whole package would cost every isolated test file ~100 ms of module loading.
import { analyzeLeakSeries, type LeakAnalysis } from '@qtests/core/leaks'
import { CONFIRM_SAMPLES, type TestProbeMeta, type ToolingHold } from '../shared/protocol.js'

export interface HuntSettings {
  /** sampled runs in the first window, one sample per run */
  iterations: number
  /** runs at most, warm-up excluded, confirming windows included */
  maxRuns: number
  /** unsampled runs before the first sample, so that the test's own code paths settle (V8 feedback, ICs) */
  warmupRuns: number
  /** warm-up stops once it has taken this long, ms */
  warmupMaxMs: number
  /** confirming windows stop once they have taken this long, ms */
  confirmMaxMs: number
  /** growth per run below which nothing is a leak, bytes */
  floorBytes: number
  /** what Vitest itself keeps per run of this test, bytes (see `measureHarnessCost`) */
  harnessBytes: number
}

/** What the runner does after a run: nothing yet, take a sample, or end the test's repeats. */
export type HuntStep = 'next' | 'sample' | 'stop'

export type RunOutcome = 'pass' | 'fail' | 'skip'

/**
 * A confirming window must keep at least this share of the pace (bytes per run) of the window before it for
 * growth to count as steady: warm-up decays, a leak keeps its pace.
 */
const STEADY_PACE = 0.5

/**
 * Growth is a leak only once it kept its pace through this many confirming windows: with a first window of 24
 * runs, through run 96 after the warm-up — by then a bounded cache of about a hundred entries, one a run, has
 * filled (with the first run and 24 warm-up runs, 121 runs in all).
 */
const CONFIRMING_WINDOWS_TO_LEAK = 2

export class HuntedTest {
  readonly #settings: HuntSettings
  readonly #now: () => number
  #runs = 0
  #warmupRuns = 0
  #warmupMs = 0
  #phase: 'first' | 'warmup' | 'sample' | 'done' = 'first'
  /** sampled runs since warm-up ended, counting from 1 */
  #sampledRuns = 0
  #samples: number[] = []
  #sampleRuns: number[] = []
  /** samples in each window so far */
  #windows: number[] = []
  #stride = 1
  #nextSampleAt = 1
  #failures = 0
  #firstFailure: { iteration: number; message: string } | undefined
  #skipped: string | undefined
  #confirmStartedAt: number | undefined
  #confirmed: TestProbeMeta['confirmation']
  #tooling = new Map<string, ToolingHold>()

  constructor(settings: HuntSettings, now: () => number) {
    this.#settings = settings
    this.#now = now
  }

  get samples(): readonly number[] {
    return this.#samples
  }

  get done(): boolean {
    return this.#phase === 'done'
  }

  /** The growth found once the test is done: `leak` only when confirming windows kept its pace. */
  get confirmedLeak(): boolean {
    return this.#confirmed === 'kept growing'
  }

  /**
   * A run of the test ended, after `testMs` (hooks included); `failure` is the error's message, or a skip's
   * note. Failures do not stop the runs: a test that asserts on what it accumulates fails from its second
   * run on, and still shows the growth.
   */
  runFinished(outcome: RunOutcome, testMs: number, failure?: string): HuntStep {
    const run = this.#runs++
    if (outcome === 'skip') {
      this.#skipped = `it skipped itself on run ${run + 1} of the repeat run${failure ? ` (${failure})` : ''}`
      this.#phase = 'done'
      return 'stop'
    }
    if (outcome === 'fail') {
      this.#failures++
      this.#firstFailure ??= { iteration: run + 1, message: failure ?? 'failed' }
    }
    switch (this.#phase) {
      case 'first':
        this.#phase = this.#settings.warmupRuns > 0 ? 'warmup' : 'sample'
        return this.#phase === 'sample' ? this.#sampled() : 'next'
      case 'warmup':
        this.#warmupRuns++
        this.#warmupMs += testMs
        if (this.#warmupRuns < this.#settings.warmupRuns && this.#warmupMs <= this.#settings.warmupMaxMs) return 'next'
        // The last warm-up run closes with the first sample.
        this.#phase = 'sample'
        return this.#sampled()
      case 'sample':
        return this.#sampled()
      default:
        return 'stop'
    }
  }

  #sampled(): HuntStep {
    this.#sampledRuns++
    if (this.#sampledRuns >= this.#nextSampleAt) return 'sample'
    return this.#sampledRuns >= this.#settings.maxRuns ? 'stop' : 'next'
  }

  /** The sample taken after the run just finished; `released` is what test tooling held (see tooling.ts). */
  addSample(bytes: number, released: readonly ToolingHold[] = []): HuntStep {
    this.#samples.push(bytes)
    this.#sampleRuns.push(this.#sampledRuns)
    this.#nextSampleAt = this.#sampledRuns + this.#stride
    if (this.#windows.length === 0) this.#windows.push(0)
    this.#windows[this.#windows.length - 1]!++
    for (const hold of released) {
      const seen = this.#tooling.get(hold.holder)
      if (seen) {
        seen.objects += hold.objects
        if (hold.bytes !== undefined) seen.bytes = (seen.bytes ?? 0) + hold.bytes
        if (hold.measuredRuns) seen.measuredRuns = (seen.measuredRuns ?? 0) + hold.measuredRuns
      } else this.#tooling.set(hold.holder, { ...hold })
    }
    const step = this.#afterSample()
    if (step === 'stop') this.#phase = 'done'
    return step
  }

  #afterSample(): HuntStep {
    const { iterations, maxRuns, confirmMaxMs } = this.#settings
    const window = this.#windows.length - 1
    const inWindow = this.#windows[window]!
    const full = inWindow >= (window === 0 ? iterations : CONFIRM_SAMPLES)
    if (!full) return this.#sampledRuns >= maxRuns ? this.#outOfRuns() : 'next'
    const latest = windowVerdict(
      this.#settings,
      this.#samples.slice(-inWindow),
      this.#sampleRuns.slice(-inWindow),
      window === 0,
    )
    if (window === 0) {
      // Nothing grows: the first window settles it. Growth is confirmed by more windows, within the bounds.
      if (latest.verdict !== 'leak' && latest.verdict !== 'suspect') return 'stop'
      this.#confirmStartedAt = this.#now()
    } else {
      if (latest.verdict === 'clean') {
        this.#confirmed = 'levelled off'
        return 'stop'
      }
      // Growing at a steady pace window after window, past the horizon: a leak keeps its pace, warm-up and
      // filling caches do not.
      const before = this.#windowAt(window - 1)
      const steady =
        latest.verdict === 'leak' &&
        before.verdict === 'leak' &&
        latest.bytesPerStep >= STEADY_PACE * before.bytesPerStep
      if (steady && window >= CONFIRMING_WINDOWS_TO_LEAK) {
        this.#confirmed = 'kept growing'
        return 'stop'
      }
      if (this.#now() - this.#confirmStartedAt! >= confirmMaxMs) return this.#outOfRuns()
    }
    if (this.#sampledRuns + CONFIRM_SAMPLES * this.#stride * 2 > maxRuns) return this.#outOfRuns()
    this.#stride *= 2
    this.#nextSampleAt = this.#sampledRuns + this.#stride
    this.#windows.push(0)
    return 'next'
  }

  #outOfRuns(): HuntStep {
    if (this.#windows.length > 1) this.#confirmed = 'out of runs'
    return 'stop'
  }

  #windowAt(index: number): LeakAnalysis {
    const start = this.#windows.slice(0, index).reduce((sum, n) => sum + n, 0)
    const end = start + this.#windows[index]!
    return windowVerdict(
      this.#settings,
      this.#samples.slice(start, end),
      this.#sampleRuns.slice(start, end),
      index === 0,
    )
  }

  /** What the report needs from the worker. */
  meta(): TestProbeMeta {
    const meta: TestProbeMeta = {
      samples: this.#samples,
      sampleRuns: this.#sampleRuns,
      windows: this.#windows,
      iterations: this.#samples.length,
      runs: this.#sampledRuns,
      harnessBytesPerIteration: this.#settings.harnessBytes,
      warmupRuns: this.#warmupRuns,
    }
    if (this.#confirmed) meta.confirmation = this.#confirmed
    if (this.#failures) meta.failures = { runs: this.#failures, of: this.#runs, first: this.#firstFailure! }
    if (this.#tooling.size) meta.tooling = [...this.#tooling.values()]
    if (this.#skipped) meta.unmeasured = this.#skipped
    return meta
  }
}

/**
 * The verdict on one window of samples, growth per run. Windows after the first follow settled runs: no
 * warm-up samples are dropped from them.
 */
export function windowVerdict(
  settings: Pick<HuntSettings, 'floorBytes' | 'harnessBytes'>,
  samples: readonly number[],
  runs: readonly number[],
  first: boolean,
): LeakAnalysis {
  return analyzeLeakSeries(samples, {
    x: runs,
    noiseFloorBytes: settings.floorBytes,
    baselineBytesPerStep: settings.harnessBytes,
    warmupSamples: first ? undefined : 0,
  })
}
