// Pure: the course of one test in the repeat run (hunt). No Vitest objects, no GC: the runner asks what to
// do after each run of the test and hands in the samples it took.

// The leak statistics alone: the whole package would cost every isolated test file ~100 ms of module loading.
import { analyzeLeakSeries, type LeakAnalysis } from '@qtests/core/leaks'
import {
  CONFIRM_SAMPLES,
  OPTIMIZER_OFF,
  OPTIMIZER_OFF_RUNS,
  type TestProbeMeta,
  type ToolingHold,
} from '../shared/protocol.js'

export interface HuntSettings {
  /** sampled runs in the first window, one sample per run */
  iterations: number
  /** runs at most, warm-up excluded, confirming windows included (the window without optimizers comes on top) */
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
  /** whether a leak is checked once more with V8's optimizing compilers off (see `optimizer.ts`) */
  optimizerCheck: boolean
  /**
   * measure's confirmation: a test that keeps less than this per run from a settled sample after its first run to a
   * bound `runsToFirstBound` runs later (or a later check, or a span), is cleared there, without windows
   */
  quickClearBytes?: number
  /**
   * before a test is called a leak, the runner waits this long with nothing running and samples once more; memory
   * given back by then was held for a while (a timer, a keep-alive connection), not kept
   */
  idleCheckMs?: number
  /**
   * hunt: Node's open resources by type before the test's first run. Given, the idle check is only for a test whose
   * runs left more of a type open (a timer, a socket): what such a resource holds may be let go when it fires or
   * closes. Waiting for every leaking test would cost each 6 s.
   */
  openBeforeFirstRun?: Record<string, number>
  /** runs after the quick clear's settled sample before its first bound (default `RUNS_TO_FIRST_BOUND`) */
  runsToFirstBound?: number
  /** the quick clear reads a later bound only while the test's runs have taken less than this, ms (see BOUND_CHECKS) */
  boundRunsMaxMs?: number
}

/**
 * Runs in the quick clear's first span, between two settled samples. A file grows at least measure's bar per test,
 * so at least one of its tests keeps that much per run if the growth repeats; a test keeping under half of it over
 * these runs cannot be that test.
 */
export const QUICK_CLEAR_RUNS = 8

/**
 * A test over the bar gets up to this many quick spans, each twice the runs of the one before (8, 16, 32), one
 * settled sample at the end of each, before the windows sample every run: V8's warm-up and a filling cache slow
 * down over them, a leak keeps its pace. On two of jotai's files the 6 of 48 tests that missed the first span took
 * half the repeat run's time, about half of that in the windows' full GCs.
 */
export const QUICK_CLEAR_SPANS = 3

/**
 * Runs from the quick clear's settled sample (after the test's first run) to its first bound: a test's first runs
 * still grow as V8 compiles its code (runs 2–25: 1.1–1.8 KB each on public suites, see WARMUP_RUNS in runner.ts),
 * which the bound counts against the test, spread over these runs.
 */
export const RUNS_TO_FIRST_BOUND = 8

/**
 * The quick clear's checks, in runs after its settled sample (taken after the test's first run) beyond the settling
 * runs: bounds after 9, 17 and 33 runs in all (25, 33 and 49 for a worker's first test). A bound is memory after one
 * full GC: never less than a settled sample would read then (the second GC only frees more), so growth under the bar
 * per run from the settled sample to a bound, warm-up included, clears the test as surely as a second settled sample
 * would, for one GC instead of two and without a span's runs. Later checks, while runs are cheap, spread the warm-up
 * thinner. Growth is read within the test's own runs only: read from a sample before the test, memory freed after
 * an earlier test (1.1 MB on jotai's suite, after one whose repeated runs failed) hid a test keeping 19 KiB a run.
 */
export const BOUND_CHECKS = [0, 8, 24]

/**
 * What the runner does after a run: nothing yet, take a sample, read a bound (one full GC, which a second completes
 * when a settled sample follows), wait `idleCheckMs` and take a last sample (`addIdleSample`), or end the test's
 * repeats.
 */
export type HuntStep = 'next' | 'sample' | 'bound' | 'idle' | 'stop'

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

/**
 * Runs that time out in a row before the test's repeats stop: on @mswjs/interceptors' suite a test that adds a
 * listener per run and never removes it hung from its second run on, each run taking the whole 5 s timeout (480
 * runs planned: 40 minutes for one test, in plain Vitest with `repeats` too).
 */
const TIMEOUTS_TO_STOP = 2

/**
 * How long nothing runs before a leak's last sample. Node's HTTP server closes an idle keep-alive connection after
 * 5 s, undici's client after 4 s; an https test of @mswjs/interceptors kept 30 KiB a run that was given back 2–4 s
 * after its last run. measure's confirmation: one wait per leaking file (it stops at the first leak).
 */
export const IDLE_CHECK_MS = 6000

/**
 * The share of what a test kept that, falling back, makes it memory given back rather than kept: with the optimizers
 * off, a fall per run of this share of the pace it grew at before (and of the floor) — V8 throws optimized code away
 * at once (the window's first samples, left out) and is flat after, so a steady fall is not compiled code; after
 * the idle wait, this share of what the windows kept.
 */
const GIVEN_BACK = 0.5

/**
 * A resource type counts as left open by the test's runs when it grew by at least this many a run over its windows
 * (one every other run): a pending timer or an open socket holds what it references.
 */
const OPEN_PER_RUN_MIN = 0.5

/** Vitest's message for a test or hook that ran past its timeout ("Test timed out in 5000ms."). */
const TIMED_OUT = /\btimed out in \d+ ?ms\b/i

export class HuntedTest {
  readonly #settings: HuntSettings
  readonly #now: () => number
  #runs = 0
  #warmupRuns = 0
  #warmupMs = 0
  #phase: 'first' | 'quick' | 'warmup' | 'sample' | 'idle' | 'done' = 'first'
  /** the idle check: what the windows kept, from their first sample to their last, and what the wait gave back */
  #idle: TestProbeMeta['idle']
  /** the quick clear: the settled sample growth is read from, the runs after the first when it was taken, and so far */
  #quickFrom: number | undefined
  #quickFromRuns = 0
  #quickRuns = 0
  /**
   * where the quick clear is: before its settled sample, reading bounds, settling the last bound (they all missed),
   * or in its spans; and the bound check due next (BOUND_CHECKS)
   */
  #quickStage: 'first' | 'bounds' | 'settle' | 'spans' = 'first'
  #boundCheck = 0
  /** the quick span under way, from 0 */
  #quickSpan = 0
  #quickClear: TestProbeMeta['quickClear']
  /** samples taken, the quick clear's included */
  #samplesTaken = 0
  /** sampled runs since warm-up ended, counting from 1 */
  #sampledRuns = 0
  #samples: number[] = []
  #sampleRuns: number[] = []
  /** samples in each window so far */
  #windows: number[] = []
  #stride = 1
  #nextSampleAt = 1
  #failures = 0
  #timeoutsInARow = 0
  #stoppedOnTimeouts = false
  #firstFailure: { iteration: number; message: string } | undefined
  #skipped: string | undefined
  #confirmStartedAt: number | undefined
  #confirmed: TestProbeMeta['confirmation']
  #tooling = new Map<string, ToolingHold>()
  /** open resources by type at the windows' first sample and at the latest, with the runs they were read after */
  #openFirst: { runs: number; open: Record<string, number> } | undefined
  #openLast: { runs: number; open: Record<string, number> } | undefined
  /** the window being sampled runs with V8's optimizing compilers off */
  #optimizerOff = false
  #optimizerOffWindow: number | undefined
  /** what the confirmation says unless the window without optimizers finds no growth */
  #beforeCheck: 'kept growing' | 'out of runs' = 'kept growing'

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

  /** Whether the next sample is this test's first: the runner starts recording allocations there. */
  get firstSample(): boolean {
    return this.#samplesTaken === 0
  }

  /**
   * Whether the next sample follows unsampled runs (the first of a window series, or a quick clear's): their
   * garbage is still there, and dead ArrayBuffers give their memory back only after a second GC.
   */
  get afterUnsampledRuns(): boolean {
    return this.#phase === 'quick' || this.#samples.length === 0
  }

  /** Whether the test is in its quick clear: what test tooling holds is not sized there (it costs two more GCs). */
  get quickClearing(): boolean {
    return this.#phase === 'quick'
  }

  /** Whether a growing test gets a last window with V8's optimizing compilers off. */
  get optimizerCheck(): boolean {
    return this.#settings.optimizerCheck
  }

  /** Whether the runs from now on are to run with V8's optimizing compilers off; the runner switches them. */
  get optimizerOff(): boolean {
    return this.#optimizerOff && this.#phase !== 'done'
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
    // A run that timed out took the whole timeout and reached nothing: more of them would only cost.
    this.#timeoutsInARow = outcome === 'fail' && TIMED_OUT.test(failure ?? '') ? this.#timeoutsInARow + 1 : 0
    if (this.#timeoutsInARow >= TIMEOUTS_TO_STOP) {
      this.#stoppedOnTimeouts = true
      this.#phase = 'done'
      return 'stop'
    }
    switch (this.#phase) {
      case 'first':
        if (this.#settings.quickClearBytes !== undefined) {
          // The quick clear's settled sample: after the first run, whose one-off memory it leaves out.
          this.#phase = 'quick'
          return 'sample'
        }
        this.#phase = this.#settings.warmupRuns > 0 ? 'warmup' : 'sample'
        return this.#phase === 'sample' ? this.#sampled() : 'next'
      case 'quick':
        this.#quickRuns++
        this.#warmupMs += testMs
        if (this.#quickStage === 'bounds')
          return this.#quickRuns >= this.#runsToFirstBound() + BOUND_CHECKS[this.#boundCheck]! ? 'bound' : 'next'
        return this.#quickRuns >= this.#quickFromRuns + this.#quickSpanRuns() ? 'sample' : 'next'
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
    return this.#sampledRuns >= this.#runLimit() ? 'stop' : 'next'
  }

  #runLimit(): number {
    return this.#settings.maxRuns + (this.#optimizerOffWindow === undefined ? 0 : OPTIMIZER_OFF_RUNS)
  }

  /** The sample taken after the run just finished; `released` is what test tooling held (see tooling.ts). */
  addSample(bytes: number, released: readonly ToolingHold[] = [], open?: Record<string, number>): HuntStep {
    this.#samplesTaken++
    if (this.#phase === 'quick') {
      this.#addTooling(released)
      return this.#quickSample(bytes)
    }
    if (open) {
      this.#openLast = { runs: this.#sampledRuns, open }
      this.#openFirst ??= this.#openLast
    }
    this.#samples.push(bytes)
    this.#sampleRuns.push(this.#sampledRuns)
    this.#nextSampleAt = this.#sampledRuns + this.#stride
    if (this.#windows.length === 0) this.#windows.push(0)
    this.#windows[this.#windows.length - 1]!++
    this.#addTooling(released)
    const step = this.#afterSample()
    if (step === 'stop') this.#phase = 'done'
    return step
  }

  #runsToFirstBound(): number {
    return this.#settings.runsToFirstBound ?? RUNS_TO_FIRST_BOUND
  }

  #quickSpanRuns(): number {
    return QUICK_CLEAR_RUNS * 2 ** this.#quickSpan
  }

  /**
   * A bound read after the run just finished (see `BOUND_CHECKS`): growth per run from the quick clear's settled
   * sample to it under the bar clears the test. Otherwise more runs come while there are checks left and runs are
   * cheap; after the last, a settled sample (a second GC), from which the spans go on.
   */
  addBound(bytes: number): HuntStep {
    if (this.#clearsSinceSettled(bytes, true)) return 'stop'
    if (this.#boundCheck + 1 < BOUND_CHECKS.length && this.#warmupMs < (this.#settings.boundRunsMaxMs ?? 0)) {
      this.#boundCheck++
      return 'next'
    }
    this.#quickStage = 'settle'
    return 'sample'
  }

  /** Clears the test when it kept under the bar per run from the quick clear's settled sample to `bytes`. */
  #clearsSinceSettled(bytes: number, atMost: boolean): boolean {
    const runs = this.#quickRuns - this.#quickFromRuns
    const barBytes = this.#settings.quickClearBytes!
    const bytesPerRun = (bytes - this.#quickFrom!) / runs - this.#settings.harnessBytes
    if (bytesPerRun >= barBytes) return false
    const afterRuns = 1 + this.#quickFromRuns
    this.#quickClear = { runs, afterRuns, bytesPerRun: Math.round(bytesPerRun), barBytes }
    if (atMost) this.#quickClear.atMost = true
    this.#phase = 'done'
    return true
  }

  #addTooling(released: readonly ToolingHold[]): void {
    for (const hold of released) {
      const seen = this.#tooling.get(hold.holder)
      if (seen) {
        seen.objects += hold.objects
        if (hold.bytes !== undefined) seen.bytes = (seen.bytes ?? 0) + hold.bytes
        if (hold.measuredRuns) seen.measuredRuns = (seen.measuredRuns ?? 0) + hold.measuredRuns
      } else this.#tooling.set(hold.holder, { ...hold })
    }
  }

  /**
   * The quick clear's settled samples: after the first run (bounds follow), after bounds that missed (checked once
   * more, exactly, then the first span starts there), then at the end of each span. A span under the bar ends the
   * test; after the last span, or once the spans took half the windows' time, the runs count as warm-up and the
   * windows decide.
   */
  #quickSample(bytes: number): HuntStep {
    if (this.#quickStage === 'first' || this.#quickStage === 'settle') {
      if (this.#quickStage === 'settle' && this.#clearsSinceSettled(bytes, false)) return 'stop'
      this.#quickStage = this.#quickStage === 'first' ? 'bounds' : 'spans'
      this.#quickFrom = bytes
      this.#quickFromRuns = this.#quickRuns
      return 'next'
    }
    if (this.#clearsSinceSettled(bytes, false)) return 'stop'
    if (this.#quickSpan + 1 < QUICK_CLEAR_SPANS && this.#warmupMs < this.#settings.confirmMaxMs / 2) {
      this.#quickFromRuns = this.#quickRuns
      this.#quickSpan++
      this.#quickFrom = bytes
      return 'next'
    }
    this.#warmupRuns = this.#quickRuns
    this.#phase = this.#warmupRuns < this.#settings.warmupRuns ? 'warmup' : 'sample'
    return 'next'
  }

  #afterSample(): HuntStep {
    const { iterations, maxRuns, confirmMaxMs } = this.#settings
    const window = this.#windows.length - 1
    const inWindow = this.#windows[window]!
    const full = inWindow >= (window === 0 ? iterations : CONFIRM_SAMPLES)
    if (!full) return this.#sampledRuns >= this.#runLimit() ? this.#outOfRuns() : 'next'
    const latest = windowVerdict(
      this.#settings,
      this.#samples.slice(-inWindow),
      this.#sampleRuns.slice(-inWindow),
      window === 0 ? undefined : this.#optimizerOff ? OPTIMIZER_OFF.warmupSamples : 0,
    )
    if (this.#optimizerOff) {
      // Growth that stops with the optimizers off was V8's code for the test; a leak goes on without them. Memory
      // that falls there was given back: on @mswjs/interceptors' suite what an https test kept was released after
      // 2–4 s, whether V8 optimized or not (a loop of its runs without the plugin, then a wait).
      this.#optimizerOff = false
      this.#confirmed =
        latest.verdict !== 'clean'
          ? this.#beforeCheck
          : latest.bytesPerStep <
              -Math.max(this.#settings.floorBytes, GIVEN_BACK * this.#windowAt(window - 1).bytesPerStep)
            ? 'given back'
            : 'compiled code'
      return this.#concluded()
    }
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
        return this.#checkWithoutOptimizers('kept growing')
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
    if (this.#optimizerOff) {
      // The check could not finish: what the windows before it found stands.
      this.#optimizerOff = false
      this.#confirmed = this.#beforeCheck
      return this.#concluded()
    }
    // Growth still going, slower, when the runs or the time ran out: the check may clear it too.
    if (this.#windows.length > 1) return this.#checkWithoutOptimizers('out of runs')
    return 'stop'
  }

  /**
   * Growth the windows did not explain: one more window with V8's optimizing compilers off, in runs kept for
   * it (see optimizer.ts), when this process has them.
   */
  #checkWithoutOptimizers(found: 'kept growing' | 'out of runs'): HuntStep {
    if (!this.#settings.optimizerCheck || this.#optimizerOffWindow !== undefined) {
      this.#confirmed = found
      return this.#concluded()
    }
    this.#beforeCheck = found
    this.#optimizerOff = true
    this.#optimizerOffWindow = this.#windows.length
    this.#stride = OPTIMIZER_OFF.stride
    this.#nextSampleAt = this.#sampledRuns + OPTIMIZER_OFF.settleRuns
    this.#windows.push(0)
    return 'next'
  }

  /**
   * A leak found: measure's confirmation first waits and looks once more (see `idleCheckMs`), as hunt does when the
   * test left something open; otherwise the end.
   */
  #concluded(): HuntStep {
    if (this.#confirmed !== 'kept growing' || this.#settings.idleCheckMs === undefined) return 'stop'
    if (this.#settings.openBeforeFirstRun && this.leftOpen().length === 0) return 'stop'
    this.#phase = 'idle'
    return 'idle'
  }

  /** The idle check is not needed after all (see `FileState.heldThoughOpen` in runner.ts): the leak stands. */
  skipIdleCheck(): void {
    this.#phase = 'done'
  }

  /**
   * What the test left open, as hunt's idle check tells patterns apart: the types `leftOpen` finds, each marked when
   * its runs left one open per run (an interval a run, a socket a run) rather than a few in all (a debounce timer).
   */
  leftOpenPattern(): string {
    const perRun = this.#openPerRun() ?? {}
    return this.leftOpen()
      .map((type) => (type in perRun ? `${type} per run` : type))
      .join(', ')
  }

  /** Resource types more of which were open at the windows' last sample than before the test's first run. */
  leftOpen(): string[] {
    const [before, last] = [this.#settings.openBeforeFirstRun, this.#openLast?.open]
    if (!before || !last) return []
    return Object.keys(last)
      .filter((type) => last[type]! > (before[type] ?? 0))
      .sort()
  }

  /** How long the runner waits before the idle sample, ms. */
  get idleWaitMs(): number {
    return this.#settings.idleCheckMs ?? 0
  }

  /**
   * The sample after the idle wait: memory falling back by at least `GIVEN_BACK` of what the windows kept was held
   * for a while, not kept (a leak keeps all of it).
   */
  addIdleSample(bytes: number): HuntStep {
    const first = this.#samples[0]!
    const last = this.#samples.at(-1)!
    const kept = last - first
    const givenBack = last - bytes
    this.#idle = { waitedMs: this.idleWaitMs, keptBytes: Math.round(kept), givenBackBytes: Math.round(givenBack) }
    if (kept > 0 && givenBack >= GIVEN_BACK * kept) this.#confirmed = 'given back'
    this.#phase = 'done'
    return 'stop'
  }

  #windowAt(index: number): LeakAnalysis {
    const start = this.#windows.slice(0, index).reduce((sum, n) => sum + n, 0)
    const end = start + this.#windows[index]!
    return windowVerdict(
      this.#settings,
      this.#samples.slice(start, end),
      this.#sampleRuns.slice(start, end),
      index === 0 ? undefined : 0,
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
    if (this.#quickClear) meta.quickClear = this.#quickClear
    if (this.#optimizerOffWindow !== undefined && this.#windows[this.#optimizerOffWindow])
      meta.optimizerOffWindow = this.#optimizerOffWindow
    if (this.#failures) meta.failures = { runs: this.#failures, of: this.#runs, first: this.#firstFailure! }
    if (this.#stoppedOnTimeouts) meta.stoppedOnTimeouts = true
    if (this.#idle) meta.idle = this.#idle
    if (this.#tooling.size) meta.tooling = [...this.#tooling.values()]
    const open = this.#openPerRun()
    if (open) meta.openPerRun = open
    if (this.#skipped) meta.unmeasured = this.#skipped
    return meta
  }

  /** Resource types the windows' runs left open, per run (see `OPEN_PER_RUN_MIN`). */
  #openPerRun(): Record<string, number> | undefined {
    const [first, last] = [this.#openFirst, this.#openLast]
    if (!first || !last || last.runs <= first.runs) return undefined
    const found: Record<string, number> = {}
    for (const [type, count] of Object.entries(last.open)) {
      const perRun = (count - (first.open[type] ?? 0)) / (last.runs - first.runs)
      if (perRun >= OPEN_PER_RUN_MIN) found[type] = Math.round(perRun * 100) / 100
    }
    return Object.keys(found).length ? found : undefined
  }
}

/**
 * The verdict on one window of samples, growth per run. `warmupSamples` undefined (the first window) lets the
 * statistics find the warm-up; windows after it follow settled runs and drop none, but the one run with the
 * optimizers off.
 */
export function windowVerdict(
  settings: Pick<HuntSettings, 'floorBytes' | 'harnessBytes'>,
  samples: readonly number[],
  runs: readonly number[],
  warmupSamples: number | undefined,
): LeakAnalysis {
  return analyzeLeakSeries(samples, {
    x: runs,
    noiseFloorBytes: settings.floorBytes,
    baselineBytesPerStep: settings.harnessBytes,
    warmupSamples,
  })
}
