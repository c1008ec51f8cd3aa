// Measure mode's rules, in one place: which files and tests get samples, the screen that calls for full GCs,
// the verdict's thresholds, and what confirming a growing file in the repeat run may take. Pure: no GC, no
// Vitest objects. The worker applies them (worker/measureFile.ts; what the probes may cost is
// worker/probeBudget.ts), the verdicts read them (report/verdicts.ts), the reporter plans the confirmation with them.

/**
 * measure: a leak keeps its pace. Between two samples its slowest step is at least this share of its
 * fastest — asked of the cheap samples before full GCs are spent, and of the full GCs for a verdict.
 */
export const LEAK_STEADY_RATIO = 0.25

/**
 * measure: the first cheap reading of a file is a primer, never read as the tests' growth: the young GC
 * after it promotes what the one before kept (what importing the file left). The worker's screen skips it
 * (`risingSteadily`), and so does a clean file's growth per test in the verdict.
 */
export const SCREEN_PRIMER_READINGS = 1

/**
 * measure: files with fewer tests (5) get no probes and the verdict `unknown`: the cheap samples need the
 * primer and three readings, none after the last test (see `cheapSamplePlan`).
 */
export const MEASURE_MIN_TESTS = SCREEN_PRIMER_READINGS + 3 + 1

/**
 * measure: a file gets its cheap samples only while all the probes' GCs so far and these stay within this share of
 * the worker's busy time (its event loop's, see `ProbeBudget.cheapSamplesFit`). A young GC costs 0.1–0.5 ms in a
 * fresh worker but ~1–1.7 ms in a reused one (`isolate: false`, every module loaded so far in its heap): date-fns's
 * 250 files of ~20 ms each spent 1.0–1.7 s on 1,029 of them, a third of the suite's own time. Files left out are
 * measured by a later run (clean verdicts are reused, so each run's share goes to the files not measured yet).
 */
export const CHEAP_SAMPLE_SHARE = 0.03

/** measure: a leak's full-GC samples rise at a steady pace (LEAK_STEADY_RATIO) over at least this many tests. */
export const MIN_SPAN_TESTS = 4

/**
 * Reads cheap samples (old-generation bytes after a young GC, see `sampleAfterMinorGc`) taken after the
 * tests in `at`. The first is a primer: the young GC that takes it is the first of the file, and the next
 * one promotes what this one kept (what importing the file left, a few hundred KB), so the first step is
 * never the tests' growth and is not read. The rule, on the last two steps after it:
 * - each rose by at least a third of the floor per test (⅔ of `bytesPerTest`, the bar of half the floor):
 *   a leak promotes its bytes a sample late, so its steps swing (a 20 KB-per-test corpus leak read 21, 11,
 *   25 KB per test; one at 15.5 KB read 17, 12, 13) but never near zero, while a clean file's steps are
 *   mostly 1–4 KB per test;
 * - together by at least `bytesPerTest` per test;
 * - at a steady pace (the slower at least `LEAK_STEADY_RATIO` of the faster, as the verdict asks of full
 *   GCs) when either step is a jump above `JUMP` times the bar and the slower one is under the floor: a
 *   busy test's garbage, promoted by a natural GC, arrives in one such jump beside a small step. A leak
 *   of 40 KB per test on a loaded machine read 48 then 196 KB per test, or 283 then 40 (a natural GC
 *   promoting a sample early, Vitest's pending messages with it): both steps at the floor or above
 *   are a rise whatever the jump (2 of 96 such files were called clean before).
 * Replayed (a throwaway script) on six cheap samples per file of bench/overhead's 200 clean files and of
 * 4 corpus runs, this sent 25 clean files on to full GCs where the previous rule (all heap bytes after a young GC, the first
 * step included, no step minimum) sent 43, and left 13, 12, 13, 13 of the 13 corpus leaks confirmable
 * (12, 11, 12 and 13 before).
 */
export function risingSteadily(bytes: readonly number[], at: readonly number[], bytesPerTest: number): boolean {
  const n = bytes.length
  // Two steps after the primer: three readings besides it.
  if (n < SCREEN_PRIMER_READINGS + 3) return false
  const [a, b, c] = [bytes[n - 3]!, bytes[n - 2]!, bytes[n - 1]!]
  const first = (b - a) / (at[n - 2]! - at[n - 3]!)
  const second = (c - b) / (at[n - 1]! - at[n - 2]!)
  const slower = Math.min(first, second)
  const faster = Math.max(first, second)
  return (
    slower >= MIN_STEP * bytesPerTest &&
    (c - a) / (at[n - 1]! - at[n - 3]!) >= bytesPerTest &&
    (slower >= LEAK_STEADY_RATIO * faster || faster <= JUMP * bytesPerTest || slower >= 2 * bytesPerTest)
  )
}

/** Each step of a rise, as a share of the screen's bar (half the floor): a third of the floor. */
const MIN_STEP = 2 / 3

/** A cheap step above this many times the screen's bar (half the floor) is a jump: twice the floor. */
const JUMP = 4

/**
 * measure: the tests (by run order) after which a file gets a cheap sample: six points spread over the
 * file, the first test included (the primer), the last left out — a rise first seen there could not be
 * confirmed, as full GCs need tests after it, and only turned clean files `unknown` (16 of bench/overhead's
 * 200). A primer and three readings at least, so files of fewer than `MEASURE_MIN_TESTS` tests get none.
 */
export function cheapSamplePlan(tests: number): Set<number> {
  if (tests < MEASURE_MIN_TESTS) return new Set()
  const points = spread(tests, CHEAP_SAMPLES)
  points.delete(tests - 1)
  return points
}

const CHEAP_SAMPLES = 6

/**
 * measure: the cheap samples to add once the last reading (taken after test `index`) is below the one before it, the
 * primer's step aside. Old-generation bytes fall only after a major GC (V8's own, which a run on a busy machine
 * triggers at other times): it freed promoted garbage the earlier readings held, so steps across it say nothing of
 * the tests. The screen reads the last two steps, so two readings after the fall are needed: those still planned, and
 * up to two more before the last test (which keeps no cheap sample, to leave room for a full GC). A 40 KB-per-test
 * leak on a loaded machine read 13.4, 14.1, 14.3, 12.3, 12.7 MB and was called clean, its two steps after the fall
 * one short.
 */
export function samplesAfterFall(
  readings: readonly number[],
  index: number,
  tests: number,
  planned: ReadonlySet<number>,
): number[] {
  const n = readings.length
  if (n <= SCREEN_PRIMER_READINGS + 1 || readings[n - 1]! >= readings[n - 2]!) return []
  const later = [...planned].filter((point) => point > index).length
  const added: number[] = []
  for (let test = tests - 2; test > index && later + added.length < 2; test--) if (!planned.has(test)) added.push(test)
  return added.reverse()
}

/** Up to `count` test indexes spread evenly over `tests`, the first and the last included. */
export function spread(tests: number, count: number): Set<number> {
  const points = new Set<number>()
  const k = Math.min(tests, count)
  for (let j = 0; j < k; j++) points.add(k === 1 ? 0 : Math.round((j * (tests - 1)) / (k - 1)))
  return points
}

/**
 * measure: the screen's bar, bytes per test — half the floor (`leaks.minBytesPerTest`): cheap samples of a leak
 * at the floor rise by about that much between full GCs' worth of tests; code compiled for each new test (5–10 KB
 * per test, measured) sometimes crosses it too.
 */
export function screenBarBytesPerTest(minBytesPerTest: number): number {
  return minBytesPerTest / 2
}

/**
 * measure: once the cheap readings rise after test `index`, full GCs follow there, halfway to the last test and
 * after it (the plan's first is taken at once, so only the later two are returned).
 */
export function confirmationPlan(index: number, tests: number): Set<number> {
  const last = tests - 1
  return new Set([Math.round((index + last) / 2), last])
}

/**
 * measure: a leak rises by the bar (half the floor) per test between any two full GCs — the verdict asks that of
 * every step — so a step below it settles the file and the remaining full GCs are not spent.
 */
export function fullStepSettles(
  samples: readonly number[],
  atTest: readonly number[],
  barBytesPerTest: number,
): boolean {
  const n = samples.length
  if (n < 2) return false
  return (samples[n - 1]! - samples[n - 2]!) / (atTest[n - 1]! - atTest[n - 2]!) < barBytesPerTest
}

/**
 * measure: how long confirming growing files may go on after the run, ms. By default twice as long as the run did,
 * and at least a minute and a half: on jotai's jsdom suite it took 0.9–1.3× the run on a quiet machine and up to
 * 1.5× on a busy one (corpus/README.md). `leaks.confirmBudget` is that share of the run, with no floor: a user who
 * sets 0.05 trades confirmed verdicts on a first run for a bounded time after it (starting and stopping come on top).
 */
export function confirmTimeLimitMs(runMs: number, confirmBudget?: number): number {
  return confirmBudget === undefined ? Math.max(90_000, 2 * runMs) : Math.round(confirmBudget * runMs)
}

/**
 * measure: the confirmation budget of a run. Unset, a first run in CI — no clean verdicts cached from an earlier
 * run, which is every CI run that does not keep the cache — confirms nothing: confirming what grew on first use cost
 * public suites 1.3–3.2× their run (corpus/README.md), paid on each such run. Elsewhere the default stays: a
 * developer's first run pays it once. `defaultedInCI` says the run skipped confirmation for that reason.
 */
export function confirmBudgetFor(run: { set: number | undefined; ci: boolean; cached: boolean }): {
  budget: number | undefined
  defaultedInCI: boolean
} {
  if (run.set !== undefined) return { budget: run.set, defaultedInCI: false }
  return run.ci && !run.cached ? { budget: 0, defaultedInCI: true } : { budget: undefined, defaultedInCI: false }
}

/**
 * measure: whether the next run gets further with confirmation than this one — verdicts are kept for it
 * (`reuseClean`, not watch mode), this repeat run ran out of time, and it settled at least one growing file: cleared
 * it, confirmed it leaking, or saw every test of it fail (none is repeated again while unchanged). Without such a
 * file the next run confirms the same files first and stops where this one did. The report's reasons and the
 * terminal's hint both follow this one rule.
 */
export function nextRunConfirmsMore(run: {
  reuseClean: boolean
  watch: boolean
  timedOut: boolean
  settledFiles: number
}): boolean {
  return run.reuseClean && !run.watch && run.timedOut && run.settledFiles > 0
}

/**
 * measure: why a growing file has no confirmation, when the repeat run ended before it (or never started: `ended`
 * says why in full); undefined while it has not ended. `nextRunConfirmsMore` says whether the next run gets further.
 */
export function unreachedReason(
  repeat: { ended?: string; timedOut?: boolean; notStarted?: boolean },
  nextRunConfirms: boolean,
): string | undefined {
  if (!repeat.ended) return undefined
  if (repeat.notStarted) return repeat.ended
  const why = `the repeat run ended before this file: ${repeat.ended}`
  return repeat.timedOut && nextRunConfirms
    ? `${why} (the next run skips the files this one cleared or confirmed, and confirms more)`
    : why
}

/** What one full GC and sample of the repeat run costs, about, ms (a heap of tens of MB on a busy CI runner). */
const CONFIRM_GC_ESTIMATE_MS = 25

/**
 * measure: the order growing files are confirmed in, cheapest first (their duration in the run plus a GC per test,
 * both repeated alike), so that a time limit leaves the fewest files without a verdict.
 */
export function confirmationOrder<T extends { tests: number; durationMs: number }>(files: readonly T[]): T[] {
  const cost = (file: T) => file.durationMs + file.tests * CONFIRM_GC_ESTIMATE_MS
  return [...files].sort((a, b) => cost(a) - cost(b))
}

/** measure: runs in the first window of a confirmed test (hunt mode's `iterations` when lower). */
export const CONFIRM_ITERATIONS = 12

/**
 * measure's confirmation: growth per run of a repeated test under which it is not what made its file grow — a
 * quarter of the bar per test. A file that grew past the bar has a test keeping at least that much per run (the
 * most any test kept is at least their mean) if its growth repeats; a test keeping a quarter of it is not that
 * test. Both the quick clear and the windows' floor use it (hunt mode's floor, 1 KiB, is for hunting every leak).
 */
export function confirmFloorBytes(minBytesPerTest: number): number {
  return Math.round(minBytesPerTest / 4)
}

/**
 * measure's confirmation: growth per run under which the quick clear clears a test — half the bar per test, by the
 * same argument as `confirmFloorBytes`, with a margin of two for the few runs it measures. A test over it goes on to
 * the windows, whose floor is the quarter: 3–5 KiB a run that Vitest's mock registry or V8 keeps for a while is not
 * what made a file grow 16 KiB per test, and the windows took 20 s to say so.
 */
export function quickClearBytes(minBytesPerTest: number): number {
  return Math.round(minBytesPerTest / 2)
}

/**
 * measure: a file an earlier run's confirmation cleared (its tests repeated one by one, none kept memory per run) is
 * not repeated again while its test file is unchanged and it grows per test by no more than then, with half the bar
 * of margin: growth from code it loads that changed since (a leak there adds its share per test on top of what was
 * taken once). On zod's suite, 74 of 76 pairs of cold runs' readings of a growing file stayed within it (corpus/README.md).
 */
export function grewAsWhenCleared(growthBytesPerTest: number, clearedBytesPerTest: number, minBytesPerTest: number) {
  return growthBytesPerTest <= clearedBytesPerTest + minBytesPerTest / 2
}

/**
 * measure: a file whose tests all failed when an earlier run repeated them is not repeated again while its test file
 * is unchanged and it grows per test by no more than a quarter more than then, plus half the bar: repeating it again
 * only fails again. Looser than `grewAsWhenCleared` (nothing is called clean on it): a file growing 316 KiB a test
 * read 326 KiB in the next run, past half the bar of margin.
 */
export function grewAsWhenRepeatsFailed(growthBytesPerTest: number, thenBytesPerTest: number, minBytesPerTest: number) {
  return growthBytesPerTest <= thenBytesPerTest * 1.25 + minBytesPerTest / 2
}
