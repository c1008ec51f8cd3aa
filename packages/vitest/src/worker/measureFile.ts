import type { FileProbeMeta } from '../shared/protocol.js'
import {
  cheapSamplePlan,
  confirmationPlan,
  fullStepSettles,
  risingSteadily,
  samplesAfterFall,
} from '../shared/measureRules.js'
import type { MemorySample } from './memoryProbe.js'

/** What measure mode's sampling needs from the worker; the runner keeps the GC time accounts. */
export interface MeasureProbes {
  /** a young-generation GC and the old generation read (`sampleAfterMinorGc`) */
  cheapSample(): MemorySample
  /** a settled full GC: bytes that survive it, counted in the file's GC time by the caller */
  fullSample(): number
  /** whether one more full GC stays within the budget share of the worker's time */
  affordable(): boolean
}

export function emptyFileMeta(): FileProbeMeta {
  return {
    samples: [],
    atTest: [],
    screen: [],
    screenAt: [],
    testsRun: 0,
    gcCount: 0,
    gcMs: 0,
    youngGcCount: 0,
    youngGcMs: 0,
  }
}

/**
 * measure mode, one test file: the tests of `cheapSamplePlan` get a cheap sample. Once the readings after
 * the primer rise (`risingSteadily`), full GCs — which leave only live memory — are taken right away,
 * halfway to the end and after the last test, as far as the budget allows; a full-GC step below the bar
 * settles it and the rest are not spent. Everything found goes into `meta`, which the verdict reads.
 */
export class MeasuredFile {
  readonly meta: FileProbeMeta
  readonly #testCount: number
  /** the screen's bar: half the floor, in bytes per test */
  readonly #barBytesPerTest: number
  readonly #planned: Set<number>
  /** the tests after which a full GC confirms growth, planned once the cheap readings rise */
  #confirmAt: Set<number> | undefined
  #testsSeen = 0

  constructor(testCount: number, barBytesPerTest: number) {
    this.meta = emptyFileMeta()
    this.#testCount = testCount
    this.#barBytesPerTest = barBytesPerTest
    this.#planned = cheapSamplePlan(testCount)
  }

  /**
   * Counts a test that ran; returns its index (in run order) when a sample is due after it. Called for
   * every test, so it allocates nothing.
   */
  testFinished(): number | undefined {
    const index = this.#testsSeen++
    this.meta.testsRun++
    return (this.#confirmAt ?? this.#planned).has(index) ? index : undefined
  }

  /** cheap samples the file gets unless growth is seen first (`cheapSamplePlan`) */
  get plannedSamples(): number {
    return this.#planned.size
  }

  /** Takes the sample due after test `index` (see `testFinished`). */
  sampleAfter(index: number, probes: MeasureProbes): void {
    if (this.#confirmAt) {
      if (probes.affordable()) {
        this.#fullSample(index, probes)
        if (fullStepSettles(this.meta.samples, this.meta.atTest, this.#barBytesPerTest)) this.#confirmAt.clear()
      }
      return
    }
    const { meta } = this
    const cheap = probes.cheapSample()
    meta.gcMs += cheap.gcMs
    meta.youngGcCount++
    meta.youngGcMs += cheap.gcMs
    meta.screen.push(cheap.bytes)
    meta.screenAt.push(index)
    // A major GC between the last two readings: more of them, so that two steps after it can still show a rise.
    for (const test of samplesAfterFall(meta.screen, index, this.#testCount, this.#planned)) this.#planned.add(test)
    if (risingSteadily(meta.screen, meta.screenAt, this.#barBytesPerTest)) {
      this.#confirmAt = confirmationPlan(index, this.#testCount)
      meta.confirming = true
      // The plan takes no cheap sample after the last test, so there is always room to confirm.
      if (probes.affordable()) this.#fullSample(index, probes)
    }
  }

  #fullSample(index: number, probes: MeasureProbes) {
    this.meta.samples.push(probes.fullSample())
    this.meta.atTest.push(index)
  }
}
