import { analyzeLeakSeries, formatBytes, type LeakVerdict, theilSenSlope } from '@qtests/core'
import {
  type FileProbeMeta,
  LEAK_STEADY_RATIO,
  type LeakMode,
  MEASURE_MIN_TESTS,
  SCREEN_PRIMER_READINGS,
  type TestProbeMeta,
} from '../shared/protocol.js'
import type { FileReport, TestReport } from './schema.js'

// Pure: turns what the probes recorded into verdicts. No Vitest objects, no I/O.

export interface TestInput {
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  probe?: TestProbeMeta
}

export interface FileInput {
  file: string
  project: string | null
  state: FileReport['state']
  tests: TestInput[]
  probe?: FileProbeMeta
}

export interface VerdictSettings {
  mode: LeakMode
  minBytesPerIteration: number
  minBytesPerTest: number
}

const SEVERITY: Record<LeakVerdict, number> = { unknown: 0, clean: 1, suspect: 2, leak: 3 }

function unmeasured(name: string, reason: string, iterations = 0): TestReport {
  return { name, verdict: 'unknown', bytesPerIteration: null, confidence: 0, iterations, reason }
}

export function huntTestVerdict(test: TestInput, settings: VerdictSettings, probeError?: string): TestReport {
  if (test.state === 'skipped' || test.state === 'pending') return unmeasured(test.name, 'skipped or todo: not run')
  if (test.state === 'failed') return unmeasured(test.name, 'the test failed, so it was not repeated', test.probe?.iterations ?? 1)
  const probe = test.probe
  if (!probe) return unmeasured(test.name, probeError ? `probes failed: ${probeError}` : 'not repeated (expected to fail, or probes were off)', 1)
  if (probe.unmeasured) return unmeasured(test.name, probe.unmeasured, probe.iterations)
  const samples = probe.samples ?? []
  const analysis = analyzeLeakSeries(samples, {
    noiseFloorBytes: settings.minBytesPerIteration,
    // What Vitest itself retains per run until the test ends, measured by the worker: never the user's leak.
    baselineBytesPerStep: probe.harnessBytesPerIteration ?? 0,
  })
  const clean = analysis.verdict === 'clean'
  const report: TestReport = {
    name: test.name,
    verdict: analysis.verdict,
    bytesPerIteration: clean ? Math.max(0, Math.round(analysis.bytesPerStep)) : Math.round(analysis.bytesPerStep),
    confidence: round(analysis.confidence),
    iterations: samples.length,
    reason: analysis.reason.replace(/per step/g, 'per iteration'),
    samples,
  }
  if ((analysis.verdict === 'leak' || analysis.verdict === 'suspect') && probe.allocationSites?.length)
    report.allocationSites = probe.allocationSites
  return report
}

export function huntFileVerdict(input: FileInput, settings: VerdictSettings): FileReport {
  const tests = input.tests.map((test) => huntTestVerdict(test, settings, input.probe?.probeError))
  let worst: TestReport | undefined
  for (const test of tests) {
    if (!worst || SEVERITY[test.verdict] > SEVERITY[worst.verdict] || (test.verdict === worst.verdict && test.confidence > worst.confidence))
      worst = test
  }
  const verdict = worst?.verdict ?? 'unknown'
  const growing = tests.filter((test) => test.verdict === 'leak' || test.verdict === 'suspect')
  const retainedBytes = growing.reduce((sum, test) => sum + Math.max(0, test.bytesPerIteration ?? 0) * test.iterations, 0)
  let reason: string
  if (!worst) reason = 'no tests ran'
  else if (verdict === 'leak' || verdict === 'suspect')
    reason = `${growing.length} of ${tests.length} tests grow; worst: ${worst.name} (${formatBytes(worst.bytesPerIteration ?? 0)} per iteration)`
  else if (verdict === 'clean') reason = `no test grows beyond ${formatBytes(settings.minBytesPerIteration)} per iteration`
  else reason = 'no test could be measured'
  return { ...fileBase(input), verdict, retainedBytes, growthBytesPerTest: null, confidence: worst?.confidence ?? 0, tests, reason }
}

export function measureFileVerdict(input: FileInput, settings: VerdictSettings): FileReport {
  const probe = input.probe
  const base = fileBase(input)
  const tests = (verdict: LeakVerdict, confidence: number, why: string): TestReport[] =>
    input.tests.map((test) =>
      test.state === 'passed'
        ? { name: test.name, verdict, bytesPerIteration: null, confidence, iterations: 1, reason: why }
        : unmeasured(test.name, test.state === 'failed' ? 'the test failed' : 'skipped or todo: not run', test.state === 'failed' ? 1 : 0),
    )
  if (probe?.reused) {
    const why = 'not probed in this run: an earlier run measured it clean, and nothing it loads has changed since'
    return { ...base, reused: true, verdict: 'clean', retainedBytes: 0, growthBytesPerTest: null, confidence: 0.9, tests: tests('clean', 0.9, why), reason: why }
  }
  const screen = probe?.screen ?? []
  const samples = probe?.samples ?? []
  const floor = settings.minBytesPerTest
  if ((probe?.testsRun ?? 0) < MEASURE_MIN_TESTS || probe?.probeError) {
    const why = probe?.probeError
      ? `probes failed: ${probe.probeError}`
      : `fewer than ${MEASURE_MIN_TESTS} tests ran: too few to measure growth per test in measure mode; run with QTESTS_LEAKS=hunt`
    return { ...base, verdict: 'unknown', retainedBytes: 0, growthBytesPerTest: null, confidence: 0, tests: tests('unknown', 0, why), reason: why }
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
    reason = 'memory rose steadily near the end of the file, too late (or too costly) to confirm with full GCs; run with QTESTS_LEAKS=hunt'
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
      confidence = 0.5
      const why = !everyStep ? ', not rising between each' : !steady ? ', in bursts rather than at a steady pace' : `, over only ${span} tests`
      reason = `${samples.length} full GCs show ${formatBytes(fit.slope)} per test${why}`
    }
  }
  const retainedBytes = verdict === 'clean' || series.length < 2 ? 0 : Math.max(0, series[series.length - 1]! - series[0]!)
  const testVerdict: LeakVerdict = verdict === 'clean' ? 'clean' : 'unknown'
  const testWhy = verdict === 'clean' ? 'its file does not grow' : 'its file grows; run with QTESTS_LEAKS=hunt for a verdict per test'
  return {
    ...base,
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
    tests: input.tests.map((test) => unmeasured(test.name, 'leak detection is off', test.state === 'passed' || test.state === 'failed' ? 1 : 0)),
    reason: 'leak detection is off',
  }
}

export function fileVerdict(input: FileInput, settings: VerdictSettings): FileReport {
  if (settings.mode === 'hunt') return huntFileVerdict(input, settings)
  if (settings.mode === 'measure') return measureFileVerdict(input, settings)
  return offFileVerdict(input)
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

// measure: a leak's full-GC samples rise at a steady pace (LEAK_STEADY_RATIO) over at least this many tests.
const MIN_SPAN_TESTS = 4

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
