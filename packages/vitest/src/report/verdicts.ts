import { formatBytes } from '@qtests/core/format'
import { analyzeLeakSeries, type LeakAnalysis, type LeakVerdict, theilSenSlope } from '@qtests/core/leaks'
import {
  CHEAP_SAMPLE_SHARE,
  confirmFloorBytes,
  grewAsWhenCleared,
  grewAsWhenRepeatsFailed,
  LEAK_STEADY_RATIO,
  MEASURE_MIN_TESTS,
  MIN_SPAN_TESTS,
  SCREEN_PRIMER_READINGS,
} from '../shared/measureRules.js'
import {
  type FileProbeMeta,
  type LeakMode,
  OPTIMIZER_OFF,
  type TestProbeMeta,
  type ToolingHold,
} from '../shared/protocol.js'
import type { FileReport, TestReport, ToolingReport } from './schema.js'

// Pure: turns what the probes recorded into verdicts. No Vitest objects, no I/O.

export interface TestInput {
  name: string
  /** the test's outcome in the user's run */
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  /** measure: what the user's run recorded (nothing per test today) */
  probe?: TestProbeMeta
  /** what the repeat run measured for this test, when the file was repeated */
  repeated?: TestProbeMeta
}

export interface FileInput {
  file: string
  project: string | null
  state: FileReport['state']
  tests: TestInput[]
  probe?: FileProbeMeta
  /** whether the repeat run (hunt, or measure's confirmation) got to this file: undefined when none ran */
  repeat?: { ran: true; error?: string } | { ran: false; why?: string }
  /** why the file could not be measured at all, when that is not the number of its tests (it crashed, …) */
  notRun?: string
  /** measure: an earlier run's confirmation cleared this file, whose test file has not changed since */
  clearedEarlier?: { growthBytesPerTest: number; at: string }
  /** measure: an earlier run's confirmation found every test of this file failing when repeated, keeping little */
  failedRepeatsEarlier?: { growthBytesPerTest: number; at: string }
  /** measure: an earlier run confirmed this file leaking (its report then): carried over while the file is reused */
  leakEarlier?: { at: string; report: StoredLeak }
}

/** What a confirmed leak's report keeps for later runs: the verdict and its tests, not this run's timings or samples. */
export type StoredLeak = Pick<
  FileReport,
  'verdict' | 'retainedBytes' | 'growthBytesPerTest' | 'confidence' | 'tests' | 'reason' | 'unmeasuredTests'
>

export function storedLeak(report: FileReport): StoredLeak {
  const { verdict, retainedBytes, growthBytesPerTest, confidence, tests, reason, unmeasuredTests } = report
  return {
    verdict,
    retainedBytes,
    growthBytesPerTest,
    confidence,
    tests,
    reason,
    ...(unmeasuredTests ? { unmeasuredTests } : {}),
  }
}

export interface VerdictSettings {
  mode: LeakMode
  minBytesPerIteration: number
  minBytesPerTest: number
}

const SEVERITY: Record<LeakVerdict, number> = { unknown: 0, clean: 1, suspect: 2, leak: 3 }

/** A suspect is growth that was not proven a leak: it is never more likely one than not. */
const SUSPECT_CONFIDENCE_CAP = 0.5

/** A test's reason when Vitest skipped it (`.skip`, `.todo`, a filter, and `--bail`, which marks the tests it cancels
 * skipped, even one under way). */
export const NOT_RUN = 'skipped or todo: not run'
/** A test's reason when the run was interrupted (Ctrl-C) while it ran or before it started: Vitest left it pending. */
export const NOT_FINISHED = 'not finished: the run was interrupted before this test ended'

/** Why a test that did not pass or fail got no verdict, from the state Vitest left it in. */
function notRunReason(state: 'skipped' | 'pending'): string {
  return state === 'pending' ? NOT_FINISHED : NOT_RUN
}

/** Whether a test's report says it never ran to its end (skipped, or stopped with the run). */
export function neverRan(test: Pick<TestReport, 'reason'>): boolean {
  return test.reason === NOT_RUN || test.reason === NOT_FINISHED
}

function unmeasured(name: string, reason: string, iterations = 0): TestReport {
  return { name, verdict: 'unknown', bytesPerIteration: null, confidence: 0, iterations, reason }
}

const TOOLING: Record<ToolingHold['holder'], { what: string; advice: string }> = {
  'vitest-mocks': {
    what: "Vitest's mock registry",
    advice:
      'Vitest 4 keeps every vi.fn()/vi.spyOn() until the worker ends; create the mock once (outside the test or in beforeAll), or set clearMocks: true to drop the calls each mock remembers',
  },
  'vitest-spies': {
    what: "Vitest's spy restorers",
    advice:
      'Vitest keeps every vi.spyOn() until vi.restoreAllMocks() (mockRestore() does not let it go); call vi.restoreAllMocks() in afterEach, or set restoreMocks: true',
  },
  'sinon-sandbox': {
    what: "sinon's default sandbox",
    advice:
      "a fake's own restore() leaves it in sinon's default sandbox; call sinon.restore() in afterEach, or use a sandbox of your own",
  },
}

/** What test tooling held per run of the test, sized where a run was measured both ways. */
function toolingReport(holds: readonly ToolingHold[] | undefined, iterations: number): ToolingReport[] {
  if (!holds?.length || iterations === 0) return []
  return holds.map((hold) => ({
    holder: hold.holder,
    what: TOOLING[hold.holder].what,
    objectsPerIteration: Math.round((hold.objects / iterations) * 100) / 100,
    bytesPerIteration:
      hold.bytes !== undefined && hold.measuredRuns ? Math.round(hold.bytes / hold.measuredRuns) : null,
    advice: TOOLING[hold.holder].advice,
  }))
}

/**
 * hunt: the verdict on a repeated test's samples, growth per run. The first window decides unless it grew;
 * then the confirming windows do (see HuntedTest): `leak` only when growth kept its pace over two windows in
 * a row, `clean` when it stopped (warm-up, a cache filling), `suspect` when the runs ran out in between.
 */
function seriesVerdict(probe: TestProbeMeta, settings: VerdictSettings): { analysis: LeakAnalysis; reason: string } {
  const samples = probe.samples ?? []
  const runs = probe.sampleRuns ?? samples.map((_, i) => i + 1)
  const windows = probe.windows?.length ? probe.windows : [samples.length]
  const window = (index: number) => {
    const start = windows.slice(0, index).reduce((sum, n) => sum + n, 0)
    const end = start + windows[index]!
    return analyzeLeakSeries(samples.slice(start, end), {
      x: runs.slice(start, end),
      noiseFloorBytes: settings.minBytesPerIteration,
      baselineBytesPerStep: probe.harnessBytesPerIteration ?? 0,
      // Confirming windows follow settled runs: no warm-up samples to drop, but in the one without optimizers.
      warmupSamples: index === 0 ? undefined : index === probe.optimizerOffWindow ? OPTIMIZER_OFF.warmupSamples : 0,
    })
  }
  const first = window(0)
  const firstReason = first.reason.replace(/per step/g, 'per iteration')
  const growing = first.verdict === 'leak' || first.verdict === 'suspect'
  if (!growing) return { analysis: first, reason: firstReason }
  const firstRuns = windows[0]!
  const early = formatBytes(first.bytesPerStep)
  if (windows.length === 1) {
    const capped = { ...first, verdict: 'suspect' as const }
    return { analysis: capped, reason: `${firstReason}; not confirmed: the runs ran out before a second window` }
  }
  const last = window(windows.length - 1)
  const late = formatBytes(last.bytesPerStep)
  const total = runs.at(-1) ?? samples.length
  const idle = probe.idle
  const waited = idle && `${Math.round(idle.waitedMs / 1000)} s with nothing running`
  if (probe.confirmation === 'given back' && idle) {
    const pace = window(probe.optimizerOffWindow === undefined ? windows.length - 1 : windows.length - 2)
    return {
      analysis: { ...pace, verdict: 'clean', bytesPerStep: 0 },
      reason: `grew ${formatBytes(pace.bytesPerStep)} per iteration and kept its pace over ${total} runs, but gave back ${formatBytes(idle.givenBackBytes)} of the ${formatBytes(idle.keptBytes)} it kept within ${waited}: memory held for a while (a timer, a keep-alive connection), not kept`,
    }
  }
  if (probe.confirmation === 'given back') {
    const kept = formatBytes(window(windows.length - 2).bytesPerStep)
    return {
      analysis: { ...last, verdict: 'clean' },
      reason: `grew ${early} per iteration over its first ${firstRuns} runs and ${kept} later, then fell ${formatBytes(-last.bytesPerStep)} per iteration (by run ${total}): memory held for a while and given back (a timer, a connection closed), not kept`,
    }
  }
  if (probe.confirmation === 'compiled code') {
    const kept = formatBytes(window(windows.length - 2).bytesPerStep)
    return {
      analysis: { ...last, verdict: 'clean' },
      reason: `grew ${early} per iteration over its first ${firstRuns} runs and ${kept} later, but ${late} with V8's optimizing compilers off (by run ${total}): memory for V8's compiled code, not a leak`,
    }
  }
  if (probe.confirmation === 'kept growing') {
    const still = idle ? `; still held after ${waited}` : ''
    if (probe.optimizerOffWindow === undefined)
      return {
        analysis: last,
        reason: `grew ${late} per iteration and kept its pace over ${total} runs (${early} in the first ${firstRuns})${still}`,
      }
    // The window before the check proved the pace; the check only had to show growth went on without optimizers.
    const kept = window(windows.length - 2)
    return {
      analysis: last.verdict === 'leak' ? last : kept,
      reason: `grew ${formatBytes(kept.bytesPerStep)} per iteration and kept its pace over ${total} runs (${early} in the first ${firstRuns}), ${late} with V8's optimizing compilers off${still}`,
    }
  }
  if (last.verdict === 'clean')
    return {
      analysis: last,
      reason: `grew ${early} per iteration over its first ${firstRuns} runs, then levelled off (${late} per iteration by run ${total}): warm-up or a bounded cache filling, not a leak`,
    }
  if (probe.optimizerOffWindow !== undefined) {
    const before = window(windows.length - 2)
    return {
      analysis: { ...before, verdict: 'suspect' },
      reason: `grew ${early} per iteration over its first ${firstRuns} runs and ${formatBytes(before.bytesPerStep)} later, slowing but not stopped (${late} with V8's optimizing compilers off, by run ${total}): not proven a leak`,
    }
  }
  return {
    analysis: { ...last, verdict: 'suspect' },
    reason: `grew ${early} per iteration over its first ${firstRuns} runs and ${late} by run ${total}, slowing but not stopped: not proven a leak`,
  }
}

export function huntTestVerdict(
  test: TestInput,
  settings: VerdictSettings,
  file: Pick<FileInput, 'probe' | 'repeat' | 'notRun'> = {},
): TestReport {
  if (test.state === 'skipped' || test.state === 'pending') return unmeasured(test.name, notRunReason(test.state))
  const probe = test.repeated
  if (!probe) {
    const probeError = file.probe?.probeError
    if (probeError) return unmeasured(test.name, `probes failed: ${probeError}`)
    // Why your run did not run it (type-checked only, an error) says more than that the repeat run left it out.
    if (file.notRun) return unmeasured(test.name, file.notRun)
    const repeat = file.repeat
    if (repeat?.ran === false) return unmeasured(test.name, repeat.why ?? 'the repeat run did not get to this file')
    if (repeat?.ran && repeat.error)
      return unmeasured(test.name, `the repeat run could not run this file: ${repeat.error}`)
    return unmeasured(
      test.name,
      repeat?.ran ? 'the repeat run found no such test (its name or place differs there)' : 'not repeated',
    )
  }
  if (probe.unmeasured) return unmeasured(test.name, probe.unmeasured, probe.iterations)
  if (probe.quickClear) return quickClearedTest(test, probe, probe.quickClear)
  const { analysis, reason } = seriesVerdict(probe, settings)
  const samples = probe.samples ?? []
  let verdict = analysis.verdict
  let why = reason
  let confidence = analysis.confidence
  if (verdict === 'suspect') confidence = Math.min(confidence, SUSPECT_CONFIDENCE_CAP)
  if (probe.failures) {
    const { runs, of, first } = probe.failures
    const failed = `${runs} of its ${of} runs in the repeat run failed (first, run ${first.iteration}: ${first.message})`
    // A failing run may stop before the code that would leak: no growth then proves nothing.
    if (probe.stoppedOnTimeouts && verdict !== 'leak') {
      verdict = 'unknown'
      confidence = 0
      why = `its runs in the repeat run time out (first, run ${first.iteration}: ${first.message}), so its repeats stopped after ${of} runs: not measured`
    } else if (verdict === 'clean') {
      verdict = 'unknown'
      confidence = 0
      why = `${failed}; no growth seen, but a failed run may not reach the code that leaks`
    } else why = `${why}; measured although ${failed}`
  }
  const report: TestReport = {
    name: test.name,
    verdict,
    bytesPerIteration:
      verdict === 'unknown'
        ? null
        : verdict === 'clean'
          ? Math.max(0, Math.round(analysis.bytesPerStep))
          : Math.round(analysis.bytesPerStep),
    confidence: round(confidence),
    iterations: samples.length,
    reason: why,
    samples,
  }
  if (test.state === 'failed') report.reason = `${report.reason} (it failed in your run)`
  const tooling = toolingReport(probe.tooling, samples.length)
  if (tooling.length) report.tooling = tooling
  if ((verdict === 'leak' || verdict === 'suspect') && probe.allocationSites?.length)
    report.allocationSites = probe.allocationSites
  if ((verdict === 'leak' || verdict === 'suspect') && probe.openPerRun) {
    report.openPerRun = probe.openPerRun
    report.reason = `${report.reason}; each run left ${formatOpen(probe.openPerRun)} open (a pending timer or an open socket keeps what it references alive)`
  }
  return report
}

/**
 * Why measure mode left a file unprobed for its worker's budget ("its worker's …" in the file's reason, "their
 * worker's …" in the terminal's count).
 */
export const OVER_BUDGET = `probes had taken their share (${CHEAP_SAMPLE_SHARE * 100}%) of its busy time`

/** Resources left open per run, in words: `1 Timeout, 0.5 TCPSocketWrap`, most first. */
export function formatOpen(open: Readonly<Record<string, number>>): string {
  return Object.entries(open)
    .sort((a, b) => b[1] - a[1])
    .map(([type, perRun]) => `${Math.round(perRun * 10) / 10} ${type}`)
    .join(', ')
}

/** measure's confirmation: a test cleared after a few runs, keeping under half of measure's bar per run. */
function quickClearedTest(
  test: TestInput,
  probe: TestProbeMeta,
  quick: NonNullable<TestProbeMeta['quickClear']>,
): TestReport {
  const after = quick.afterRuns === 1 ? 'its first' : `its first ${quick.afterRuns}`
  const kept = `kept ${quick.atMost ? 'at most ' : ''}${formatBytes(Math.max(0, quick.bytesPerRun))} per run over ${quick.runs} runs after ${after}`
  if (probe.failures) {
    const { runs, of, first } = probe.failures
    return unmeasured(
      test.name,
      `${runs} of its ${of} runs in the repeat run failed (first, run ${first.iteration}: ${first.message}); ${kept}, but a failed run may not reach the code that leaks`,
      quick.runs,
    )
  }
  return {
    name: test.name,
    verdict: 'clean',
    bytesPerIteration: Math.max(0, quick.bytesPerRun),
    confidence: 0.9,
    iterations: quick.runs,
    // The bar is quickClearBytes(minBytesPerTest), half the bar per test.
    reason: `${kept}, under ${formatBytes(quick.barBytes)} (half of measure's bar per test): not what made its file grow`,
  }
}

/** The worst test decides; unmeasured tests are counted in the reason, not hidden behind a clean file. */
function fileFromTests(tests: TestReport[], settings: Pick<VerdictSettings, 'minBytesPerIteration'>) {
  let worst: TestReport | undefined
  for (const test of tests) {
    if (
      !worst ||
      SEVERITY[test.verdict] > SEVERITY[worst.verdict] ||
      (test.verdict === worst.verdict && test.confidence > worst.confidence)
    )
      worst = test
  }
  const verdict = worst?.verdict ?? 'unknown'
  const growing = tests.filter((test) => test.verdict === 'leak' || test.verdict === 'suspect')
  const retainedBytes = growing.reduce(
    (sum, test) => sum + Math.max(0, test.bytesPerIteration ?? 0) * test.iterations,
    0,
  )
  const ran = tests.filter((test) => test.iterations > 0 || !neverRan(test))
  const notMeasured = ran.filter((test) => test.verdict === 'unknown')
  let reason: string
  if (!worst) reason = 'no tests ran'
  else if (verdict === 'leak' || verdict === 'suspect')
    reason = `${growing.length} of ${tests.length} tests grow; worst: ${worst.name} (${formatBytes(worst.bytesPerIteration ?? 0)} per iteration)`
  else if (verdict === 'clean')
    reason = `no test grows beyond ${formatBytes(settings.minBytesPerIteration)} per iteration`
  else
    reason = ran.length ? `no test could be measured; first: ${notMeasured[0]?.reason ?? worst.reason}` : 'no tests ran'
  if (verdict !== 'unknown' && notMeasured.length)
    reason = `${reason}; ${notMeasured.length} ${notMeasured.length === 1 ? 'test' : 'tests'} not measured (${notMeasured[0]!.name}: ${notMeasured[0]!.reason})`
  return { verdict, retainedBytes, confidence: worst?.confidence ?? 0, reason, unmeasuredTests: notMeasured.length }
}

export function huntFileVerdict(input: FileInput, settings: VerdictSettings): FileReport {
  const tests = input.tests.map((test) => huntTestVerdict(test, settings, input))
  const { verdict, retainedBytes, confidence, reason, unmeasuredTests } = fileFromTests(tests, settings)
  const report: FileReport = {
    ...fileBase(input),
    verdict,
    retainedBytes,
    growthBytesPerTest: null,
    confidence,
    tests,
    // A file your run did not run (type-checked only, an error) and the repeat run left out: say why once.
    reason: input.notRun && tests.every((test) => test.iterations === 0) ? input.notRun : reason,
  }
  if (unmeasuredTests) report.unmeasuredTests = unmeasuredTests
  return report
}

export function measureFileVerdict(input: FileInput, settings: VerdictSettings): FileReport {
  const probe = input.probe
  const base = fileBase(input)
  const tests = (verdict: LeakVerdict, confidence: number, why: string): TestReport[] =>
    input.tests.map((test) =>
      test.state === 'passed'
        ? { name: test.name, verdict, bytesPerIteration: null, confidence, iterations: 1, reason: why }
        : unmeasured(
            test.name,
            test.state === 'failed' ? 'the test failed' : notRunReason(test.state),
            test.state === 'failed' ? 1 : 0,
          ),
    )
  // A file the probes did not measure in this run: every test gets the file's verdict and reason.
  const notProbed = (
    verdict: LeakVerdict,
    confidence: number,
    why: string,
    extra?: { reused: true } | { overBudget: true },
  ): FileReport => ({
    ...base,
    ...extra,
    verdict,
    retainedBytes: 0,
    growthBytesPerTest: null,
    confidence,
    tests: tests(verdict, confidence, why),
    reason: why,
  })
  if (probe?.reused && input.leakEarlier) {
    // Nothing it loads changed since its leak was confirmed: the same leak, without probes or repeats.
    const { at, report } = input.leakEarlier
    return {
      ...base,
      ...report,
      reused: true,
      reason: `not probed in this run: an earlier run confirmed it leaking (${at.slice(0, 10)}), and nothing it loads has changed since; then: ${report.reason}`,
    }
  }
  if (probe?.reused) {
    const why = 'not probed in this run: an earlier run measured it clean, and nothing it loads has changed since'
    return notProbed('clean', 0.9, why, { reused: true })
  }
  if (probe?.overBudget && !input.notRun && probe.testsRun >= MEASURE_MIN_TESTS) {
    const why = `not probed in this run: its worker's ${OVER_BUDGET}; a later run measures it`
    return notProbed('unknown', 0, why, { overBudget: true })
  }
  const screen = probe?.screen ?? []
  const samples = probe?.samples ?? []
  const floor = settings.minBytesPerTest
  if ((probe?.testsRun ?? 0) < MEASURE_MIN_TESTS || probe?.probeError) {
    const why = probe?.probeError
      ? `probes failed: ${probe.probeError}`
      : (input.notRun ??
        `only ${probe?.testsRun ?? 0} of its tests ran, fewer than the ${MEASURE_MIN_TESTS} measure mode needs to see growth per test; run with QTESTS_LEAKS=hunt`)
    return notProbed('unknown', 0, why)
  }
  // The cheap readings (old-generation bytes after young GCs) hold promoted garbage besides live memory,
  // so they overstate growth: if they never rose steadily by half the floor per test, the file is clean.
  // Once they did, full GCs (live memory only) decide: a leak rises by at least half the floor per test
  // between each two of them, and by the floor on the whole.
  let verdict: LeakVerdict
  let reason: string
  let bytesPerTest: number | null
  let confidence: number
  let series: readonly number[] = samples
  let rose = false
  if (samples.length === 0 && !probe!.confirming) {
    // The primer (see SCREEN_PRIMER_READINGS) is left out: the growth per test is read from the others.
    const read = SCREEN_PRIMER_READINGS
    const fit = screen.length >= read + 2 ? theilSenSlope(probe!.screenAt.slice(read), screen.slice(read)) : undefined
    verdict = 'clean'
    // An upper bound that stayed under half the floor: as sure as the cheap signal allows, not more.
    confidence = 0.9
    bytesPerTest = fit ? Math.max(0, fit.slope) : null
    series = []
    reason = `cheap samples never rose steadily by ${formatBytes(floor / 2)} per test`
  } else if (samples.length < 2) {
    verdict = 'unknown'
    confidence = 0
    bytesPerTest = null
    rose = true
    reason =
      'memory rose steadily near the end of the file, too late (or too costly) to confirm with full GCs; run with QTESTS_LEAKS=hunt'
  } else {
    const atTest = probe!.atTest
    const fit = theilSenSlope(atTest, samples)
    const rates = samples.slice(1).map((bytes, i) => (bytes - samples[i]!) / (atTest[i + 1]! - atTest[i]!))
    const everyStep = rates.every((rate) => rate >= floor / 2)
    // A leak keeps its pace; a pool or buffer filling in one burst (sockets, lazily freed memory) does not.
    const steady = Math.min(...rates) >= LEAK_STEADY_RATIO * Math.max(...rates)
    const span = atTest[atTest.length - 1]! - atTest[0]!
    bytesPerTest = fit.slope
    if (fit.slope >= floor && everyStep && steady && span >= MIN_SPAN_TESTS) {
      verdict = 'leak'
      // Full-GC readings jitter by a few KB, far below the floor: each step that rises by half the floor
      // per test is strong evidence; the chance of k − 1 such steps by luck is taken as at most 2^-k.
      confidence = Math.min(0.99, 1 - 0.5 ** (samples.length + 1))
      reason = `grew ${formatBytes(fit.slope)} per test, rising between each of ${samples.length} full GCs`
    } else if (fit.slope < floor) {
      // Below the floor: garbage the full GCs cleared, or code compiled for each new test (5–10 KB).
      verdict = 'clean'
      confidence = 0.9
      reason = `the cheap samples rose, but ${samples.length} full GCs show ${formatBytes(fit.slope)} per test, under the ${formatBytes(floor)} floor: garbage or compiled code, not a leak`
    } else {
      verdict = 'suspect'
      confidence = SUSPECT_CONFIDENCE_CAP
      const why = !everyStep
        ? ', not rising between each'
        : !steady
          ? ', in bursts rather than at a steady pace'
          : `, over only ${span} tests`
      reason = `${samples.length} full GCs show ${formatBytes(fit.slope)} per test${why}`
    }
  }
  const retainedBytes =
    verdict === 'clean' || series.length < 2 ? 0 : Math.max(0, series[series.length - 1]! - series[0]!)
  const testVerdict: LeakVerdict = verdict === 'clean' ? 'clean' : 'unknown'
  const testWhy =
    verdict === 'clean' ? 'its file does not grow' : 'its file grows; run with QTESTS_LEAKS=hunt for a verdict per test'
  return {
    ...base,
    ...(rose ? { rose: true as const } : {}),
    verdict,
    retainedBytes,
    growthBytesPerTest: bytesPerTest === null ? null : Math.round(bytesPerTest),
    confidence: round(confidence),
    tests: tests(testVerdict, testVerdict === 'clean' ? round(confidence) : 0, testWhy),
    reason,
  }
}

export function offFileVerdict(input: FileInput): FileReport {
  return {
    ...fileBase(input),
    verdict: 'unknown',
    retainedBytes: 0,
    growthBytesPerTest: null,
    confidence: 0,
    tests: input.tests.map((test) =>
      unmeasured(test.name, 'leak detection is off', test.state === 'passed' || test.state === 'failed' ? 1 : 0),
    ),
    reason: 'leak detection is off',
  }
}

export function fileVerdict(input: FileInput, settings: VerdictSettings): FileReport {
  if (settings.mode === 'hunt') return huntFileVerdict(input, settings)
  if (settings.mode === 'measure') return confirmedMeasureVerdict(measureFileVerdict(input, settings), input, settings)
  return offFileVerdict(input)
}

/**
 * measure: a file whose memory grew in the user's run was repeated test by test (the repeat run). Growth
 * that the repeats do not show was taken once — code compiled on first use, a cache filled — and is not a
 * leak; growth they show is, and now has its tests named. Unconfirmed growth is never more than suspect.
 */
export function confirmedMeasureVerdict(screened: FileReport, input: FileInput, settings: VerdictSettings): FileReport {
  // Not probed in this run: its verdict (clean, or a confirmed leak) is an earlier run's, never sent to be repeated.
  if (screened.reused) return screened
  const growth = screened.growthBytesPerTest
  const perTest = growth === null ? 'grew' : `grew ${formatBytes(growth)} per test`
  // An earlier run's confirmation stands while the file passed and grew by no more than `fits` allows since.
  const grewAsThen = (then: { growthBytesPerTest: number } | undefined, fits: typeof grewAsWhenCleared) =>
    then !== undefined &&
    growth !== null &&
    input.state === 'passed' &&
    (screened.verdict === 'leak' || screened.verdict === 'suspect') &&
    fits(growth, then.growthBytesPerTest, settings.minBytesPerTest)
  const earlier = input.clearedEarlier
  if (earlier && grewAsThen(earlier, grewAsWhenCleared)) {
    const why = `its tests did not grow when an earlier run repeated them (${earlier.at.slice(0, 10)})`
    return {
      ...screened,
      verdict: 'clean',
      retainedBytes: 0,
      confidence: 0.9,
      clearedEarlier: earlier,
      tests: screened.tests.map((test) =>
        test.verdict === 'unknown' && test.iterations === 1
          ? { ...test, verdict: 'clean', confidence: 0.9, reason: why }
          : test,
      ),
      reason: `this run ${perTest}, no more than the ${formatBytes(earlier.growthBytesPerTest)} when an earlier run repeated its tests and none grew (${earlier.at.slice(0, 10)}), and the test file is unchanged: memory taken once, not repeated again`,
    }
  }
  const failedEarlier = input.failedRepeatsEarlier
  if (failedEarlier && grewAsThen(failedEarlier, grewAsWhenRepeatsFailed))
    // Repeating it again would fail again: its test file, which holds the tests' shared state, is unchanged.
    return {
      ...withoutRose(screened),
      verdict: 'unknown',
      retainedBytes: 0,
      confidence: 0,
      failedRepeats: failedEarlier,
      reason: `this run ${perTest}, no more than the ${formatBytes(failedEarlier.growthBytesPerTest)} when an earlier run repeated its tests (${failedEarlier.at.slice(0, 10)}): they all failed there, keeping little (they need an earlier test's state?), and the test file is unchanged: not repeated again`,
    }
  if (!input.repeat || (screened.verdict !== 'leak' && screened.verdict !== 'suspect' && !screened.rose))
    return screened
  // The repeat run judged growth per run against measure's own bar (a quarter of it per run), not hunt's floor.
  const confirming = { ...settings, minBytesPerIteration: confirmFloorBytes(settings.minBytesPerTest) }
  const tests = input.tests.map((test) => huntTestVerdict(test, confirming, input))
  const repeated = fileFromTests(tests, confirming)
  const base = { ...screened, tests, confirmed: true as const }
  if (repeated.unmeasuredTests) base.unmeasuredTests = repeated.unmeasuredTests
  if (repeated.verdict === 'leak' || repeated.verdict === 'suspect')
    return {
      ...base,
      verdict: repeated.verdict,
      confidence: repeated.confidence,
      reason: `this run ${perTest}; repeated one by one, ${repeated.reason}`,
    }
  if (repeated.verdict === 'clean') {
    // Quick-cleared tests ran 8–32 times, the others through windows: say the range, not the most.
    const counts = tests.map((test) => test.iterations).filter((n) => n > 0)
    const [fewest, most] = [Math.min(...counts), Math.max(...counts)]
    const runs = counts.length === 0 ? '' : ` (${fewest === most ? most : `${fewest}–${most}`} runs each)`
    return {
      ...base,
      verdict: 'clean',
      retainedBytes: 0,
      confidence: repeated.confidence,
      reason: `this run ${perTest}, but no test grows when repeated${runs}: memory taken once (code compiled on first use, a cache filled), not a leak${repeated.unmeasuredTests ? `; ${repeated.reason.split('; ').slice(1).join('; ')}` : ''}`,
    }
  }
  const why = input.repeat.ran === false ? (input.repeat.why ?? 'the repeat run did not get to it') : repeated.reason
  // Not `confirmed`: the repeats did not get to (or could not measure) its tests.
  const { confirmed: _notConfirmed, ...unconfirmed } = base
  if (input.repeat.ran && failedFlatEverywhere(input.tests))
    // Tests that need an earlier test's state fail in every repeat run, so no run can confirm or clear the file:
    // `suspect` would come back each time, on growth that did not repeat in any run that could be read.
    return {
      ...unconfirmed,
      tests: screened.tests,
      verdict: 'unknown',
      retainedBytes: 0,
      confidence: 0,
      ...(growth === null ? {} : { failedRepeats: { growthBytesPerTest: growth } }),
      reason: `this run ${perTest}; its tests fail when repeated (they need an earlier test's state?), so no run can confirm or clear it, and they kept little while failing: ${why}`,
    }
  return {
    ...unconfirmed,
    tests: screened.tests,
    verdict: 'suspect',
    confidence: Math.min(screened.confidence, SUSPECT_CONFIDENCE_CAP),
    reason: `this run ${perTest}; not confirmed: ${why}`,
  }
}

/** A report without the mark that sends an unknown file to the repeat run (`rose`). */
function withoutRose(report: FileReport): FileReport {
  const { rose: _rose, ...rest } = report
  return rest
}

/** Every test that ran failed in its repeats and showed no growth there (what made it unknown, not a leak). */
function failedFlatEverywhere(tests: ReadonlyArray<TestInput>): boolean {
  const ran = tests.filter((test) => test.state === 'passed' || test.state === 'failed')
  return ran.length > 0 && ran.every((test) => test.repeated?.failures !== undefined && !test.repeated.unmeasured)
}

/**
 * Why the repeat run has no records for a file it ran: an error in the file, or probes that failed in its worker.
 * In measure mode the file's own probe record is your run's, so the repeat run's failure must be said here.
 */
export function repeatRunError(file: {
  error?: string
  probe?: Pick<FileProbeMeta, 'probeError'>
}): string | undefined {
  if (file.error) return file.error
  return file.probe?.probeError ? `its probes failed there: ${file.probe.probeError}` : undefined
}

function fileBase(input: FileInput) {
  const report: Pick<FileReport, 'file' | 'project' | 'state' | 'samples' | 'probe'> = {
    file: input.file,
    project: input.project,
    state: input.state,
  }
  if (input.probe?.atTest.length)
    report.samples = input.probe.atTest.map((atTest, i) => ({ atTest, bytes: input.probe!.samples[i]! }))
  if (input.probe) {
    report.probe = { gcCount: input.probe.gcCount, gcMs: round(input.probe.gcMs) }
    if (input.probe.youngGcCount) {
      report.probe.youngGcCount = input.probe.youngGcCount
      report.probe.youngGcMs = round(input.probe.youngGcMs)
    }
    if (input.probe.probeError) report.probe.error = input.probe.probeError
  }
  return report
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
