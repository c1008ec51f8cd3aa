import { CONFIRM_SAMPLES } from '../shared/protocol.js'

// How long the repeat run may repeat a test (see HuntedTest in worker/huntedTest.ts).

/**
 * A test whose first window grows gets up to four confirming windows, each over twice the runs of the one
 * before, until its growth either keeps its pace or stops: after the first 24 runs, 24 + 48 + 96 + 192 more,
 * so that a cache of a few hundred entries is seen to fill.
 */
const CONFIRM_WINDOWS = 4

/** Confirming windows of one test stop after this long, ms: a slow test gets fewer of them. */
export const CONFIRM_MAX_MS = 20_000

/** Runs of a test after its warm-up, at most, for a first window of `iterations` runs. */
export function maxRuns(iterations: number): number {
  let runs = iterations
  for (let window = 1; window <= CONFIRM_WINDOWS; window++) runs += CONFIRM_SAMPLES * 2 ** window
  return runs
}
