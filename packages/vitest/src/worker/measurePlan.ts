// Pure: measure mode's sampling plan and its screening rule. No GC, no Vitest objects.

import { LEAK_STEADY_RATIO } from '../shared/protocol.js'

/**
 * The last two steps of the cheap samples each rose, by at least `bytesPerTest` per test on average, and at
 * a steady pace — the slower step at least a quarter of the faster, as the verdict asks of full GCs —
 * unless neither step is a jump (above four times `bytesPerTest`, i.e. twice the floor). A clean file's
 * busy test leaves its promoted garbage in one such jump; a leak keeps its pace, though its cheap steps
 * wobble (22, 1, 16 KB per test for a 20 KB leak). On bench/overhead's 200 clean files, 92–103 went on to
 * full GCs without the pace check, 25–28 with it everywhere, 34 with jumps only; the pace check everywhere
 * cost the corpus' measure recall 1–2 of its 13 leaking files per run, jumps only 1 file in 8 runs.
 */
export function risingSteadily(bytes: readonly number[], at: readonly number[], bytesPerTest: number): boolean {
  const n = bytes.length
  if (n < 3) return false
  const [a, b, c] = [bytes[n - 3]!, bytes[n - 2]!, bytes[n - 1]!]
  const first = (b - a) / (at[n - 2]! - at[n - 3]!)
  const second = (c - b) / (at[n - 1]! - at[n - 2]!)
  return (
    first > 0 &&
    second > 0 &&
    (c - a) / (at[n - 1]! - at[n - 3]!) >= bytesPerTest &&
    (Math.min(first, second) >= LEAK_STEADY_RATIO * Math.max(first, second) || Math.max(first, second) <= JUMP * bytesPerTest)
  )
}

/** A cheap step above this many times the screen's bar (half the floor) is a jump: twice the floor. */
const JUMP = 4

/** Up to `count` test indexes spread evenly over `tests`, the first and the last included. */
export function spread(tests: number, count: number): Set<number> {
  const points = new Set<number>()
  const k = Math.min(tests, count)
  for (let j = 0; j < k; j++) points.add(k === 1 ? 0 : Math.round((j * (tests - 1)) / (k - 1)))
  return points
}
