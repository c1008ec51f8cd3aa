// Worker side: called inside a test. Runs @qtests/core's LoadTester, keeps the result on the test's meta (where
// reporters, the JSON reporter included, read it) and fails the test on a missed threshold.
import { assertLoadResult, LoadTester, type LoadTesterOptions, type LoadTestResult } from '@qtests/core/load'

// `@qtests/vitest/load` is this module alone: a test file that imports it does not load the plugin (and Vite with
// it) into its worker. Imported in plain Node: 84 ms of CPU, against 456 ms for `@qtests/vitest`.
export type { LoadTesterOptions, LoadTestResult } from '@qtests/core/load'
export { LoadTestError } from '@qtests/core/load'

declare module 'vitest' {
  interface TaskMeta {
    /** Results of the `loadTest()` calls in this test, in call order (plain JSON, see LoadTestResult). */
    qtestsLoad?: LoadTestResult[]
  }
}

/**
 * Runs a load test inside a Vitest test: `await loadTest({ target: url, rate: 200, durationMs: 5_000, thresholds: { p99Ms: 50 } })`.
 * The result is added to the current test's `meta.qtestsLoad` (also when a threshold is missed) and returned;
 * a missed threshold, or a run stopped early because the heap neared its limit, throws a `LoadTestError` whose
 * message names each miss and the measured value — failing the test.
 */
export async function loadTest(options: LoadTesterOptions): Promise<LoadTestResult> {
  const result = await new LoadTester(options).run()
  // Imported here, not at the top: this module is part of the plugin's entry, which vitest.config files load.
  // (`vitest/suite`'s getCurrentTest is deprecated in 4.1 and prints a warning.)
  const { TestRunner } = await import('vitest')
  const test = TestRunner.getCurrentTest()
  if (test !== undefined) {
    test.meta.qtestsLoad ??= []
    test.meta.qtestsLoad.push(result)
  }
  assertLoadResult(result)
  return result
}
