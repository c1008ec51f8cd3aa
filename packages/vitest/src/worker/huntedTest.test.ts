import { describe, expect, it } from 'vitest'
import {
  type HuntSettings,
  HuntedTest,
  QUICK_CLEAR_RUNS,
  RUNS_TO_FIRST_BOUND,
  QUICK_CLEAR_SPANS,
  type RunOutcome,
} from './huntedTest.js'

const KB = 1024
const settings: HuntSettings = {
  iterations: 24,
  maxRuns: 24 + 12 * (2 + 4 + 8 + 16),
  warmupRuns: 24,
  warmupMaxMs: 1000,
  confirmMaxMs: 20_000,
  floorBytes: 1024,
  harnessBytes: 0,
  optimizerCheck: false,
}

/**
 * Drives a test through the repeat run: `memory(run)` is the post-GC heap after run `run` (counted from 0,
 * the first run included); `outcome(run)` how that run ended. Returns what the worker would send.
 */
function hunt(
  memory: (run: number) => number,
  options: {
    settings?: Partial<HuntSettings>
    outcome?: (run: number) => RunOutcome
    clockMsPerRun?: number
    /** resources open after run `run` (`process.getActiveResourcesInfo()` by type) */
    open?: (run: number) => Record<string, number>
  } = {},
) {
  let clock = 0
  const test = new HuntedTest({ ...settings, ...options.settings }, () => clock)
  let run = 0
  for (; run < 5000; run++) {
    clock += options.clockMsPerRun ?? 1
    const outcome = options.outcome?.(run) ?? 'pass'
    const step = test.runFinished(
      outcome,
      options.clockMsPerRun ?? 1,
      outcome === 'fail' ? `failure ${run}` : undefined,
    )
    if (step === 'stop') break
    // A bound (measure's confirmation) reads what a settled sample would: one GC left nothing behind.
    const read = step === 'bound' ? test.addBound(memory(run)) : step
    if (read === 'stop') break
    if (read === 'sample' && test.addSample(memory(run), [], options.open?.(run)) === 'stop') break
  }
  return { meta: test.meta(), runs: run + 1, confirmedLeak: test.confirmedLeak }
}

/**
 * Like `hunt`, for growth that depends on V8's optimizing compilers: `perRun(optimizerOff)` is what each run
 * adds, with the compilers as the test asked for them when the run started.
 */
function huntWithOptimizer(perRun: (optimizerOff: boolean) => number, options: Partial<HuntSettings> = {}) {
  const test = new HuntedTest({ ...settings, optimizerCheck: true, ...options }, () => 0)
  let bytes = 50_000_000
  const offRuns: number[] = []
  for (let run = 0; run < 5000; run++) {
    const off = test.optimizerOff
    if (off) offRuns.push(run)
    bytes += perRun(off)
    const step = test.runFinished('pass', 1)
    if (step === 'stop') break
    if (step === 'sample' && test.addSample(bytes + noise(run)) === 'stop') break
  }
  return { meta: test.meta(), confirmedLeak: test.confirmedLeak, offRuns, offAfter: test.optimizerOff }
}

// ± 300 B of noise, the same for every run of the test.
const noise = (run: number) => ((run * 7919) % 7) * 100 - 300

describe('HuntedTest', () => {
  it('stops repeating a test whose runs time out twice in a row, and goes on through other failures', () => {
    const timeout = 'TestTimeoutError: Test timed out in 5000ms.'
    const test = new HuntedTest(settings, () => 0)
    expect(test.runFinished('pass', 1)).toBe('next')
    expect(test.runFinished('fail', 5000, timeout)).not.toBe('stop')
    expect(test.runFinished('fail', 5000, timeout)).toBe('stop')
    expect(test.meta()).toMatchObject({ stoppedOnTimeouts: true, failures: { runs: 2, of: 3 } })
    // one timeout between passing runs, or failing assertions, do not stop it
    const flaky = new HuntedTest(settings, () => 0)
    for (const [outcome, message] of [
      ['fail', timeout],
      ['pass', undefined],
      ['fail', timeout],
      ['fail', 'expected 2 to be 1'],
      ['fail', 'expected 3 to be 1'],
    ] as const)
      expect(flaky.runFinished(outcome, 1, message)).not.toBe('stop')
    expect(flaky.meta().stoppedOnTimeouts).toBeUndefined()
  })

  // query-core's cancelled fetch schedules a 5-minute GC timer per run; a mocked request of @mswjs/interceptors leaves
  // its socket open: what holds the memory, beside where it was allocated.
  it('says which resources each run left open, over its windows, and not those that stay put', () => {
    const { meta } = hunt((run) => 50_000_000 + run * 20 * KB, {
      open: (run) => ({ Timeout: 3 + run, TCPSocketWrap: 2 + Math.floor(run / 4), PipeWrap: 3 }),
    })
    expect(meta.openPerRun).toEqual({ Timeout: 1 })
    const clean = hunt((run) => 50_000_000 + noise(run), { open: () => ({ Timeout: 2 }) })
    expect(clean.meta.openPerRun).toBeUndefined()
  })

  it('warms up, then takes one window of samples and stops when nothing grows', () => {
    const { meta, runs } = hunt((run) => 50_000_000 + noise(run))
    expect(meta.warmupRuns).toBe(24)
    expect(meta.iterations).toBe(24)
    expect(meta.windows).toEqual([24])
    expect(meta.confirmation).toBeUndefined()
    // the first run, 24 warm-up runs (the last of which closes with the first sample), 23 more
    expect(runs).toBe(1 + 24 + 23)
  })

  it('confirms steady growth over two confirming windows of runs further apart, then stops', () => {
    const { meta, confirmedLeak } = hunt((run) => 50_000_000 + run * 20 * KB + noise(run))
    expect(meta.confirmation).toBe('kept growing')
    expect(confirmedLeak).toBe(true)
    // 24 runs one by one, 24 runs every second one, 48 every fourth: 96 runs, 48 samples
    expect(meta.windows).toEqual([24, 12, 12])
    expect(meta.runs).toBe(96)
    const gaps = meta.sampleRuns!.map((run, i, all) => (i ? run - all[i - 1]! : run))
    expect(gaps.slice(24, 36)).toEqual(Array(12).fill(2))
    expect(gaps.slice(36)).toEqual(Array(12).fill(4))
  })

  it('calls growth that stops a levelling off: a cache of 100 entries fills within the confirming windows', () => {
    // 10 KB per run until 100 entries, counting the first run and the warm-up ones
    const { meta, confirmedLeak } = hunt((run) => 50_000_000 + Math.min(run + 1, 100) * 10 * KB + noise(run))
    expect(meta.confirmation).toBe('levelled off')
    expect(confirmedLeak).toBe(false)
    expect(meta.windows!.length).toBeGreaterThan(2)
  })

  it('does not confirm growth that slows down window after window (warm-up)', () => {
    // 3 KB per run at first, halving every 24 runs
    let bytes = 50_000_000
    const series: number[] = []
    for (let run = 0; run < 2000; run++) {
      bytes += 3 * KB * 0.5 ** Math.floor(run / 24)
      series.push(bytes)
    }
    const { meta, confirmedLeak } = hunt((run) => series[run]! + noise(run), { settings: { warmupRuns: 0 } })
    expect(confirmedLeak).toBe(false)
    expect(meta.confirmation).toBe('levelled off')
  })

  it('measures failing runs like the others, and counts them', () => {
    const { meta, confirmedLeak } = hunt((run) => 50_000_000 + run * 8 * KB, {
      outcome: (run) => (run > 0 ? 'fail' : 'pass'),
    })
    expect(confirmedLeak).toBe(true)
    expect(meta.failures).toMatchObject({ first: { iteration: 2, message: 'failure 1' } })
    expect(meta.failures!.runs).toBe(meta.failures!.of - 1)
  })

  it('stops at once, unmeasured, when the test skips itself', () => {
    const { meta, runs } = hunt(() => 50_000_000, { outcome: (run) => (run === 30 ? 'skip' : 'pass') })
    expect(runs).toBe(31)
    expect(meta.unmeasured).toBe('it skipped itself on run 31 of the repeat run')
  })

  it('ends the warm-up early for a slow test', () => {
    const { meta } = hunt(() => 50_000_000, { clockMsPerRun: 300 })
    // 300 ms a run: the fourth warm-up run passes the 1 s budget
    expect(meta.warmupRuns).toBe(4)
    expect(meta.iterations).toBe(24)
  })

  it('gives up confirming when the confirming windows take too long, and says the runs ran out', () => {
    const { meta, confirmedLeak } = hunt((run) => 50_000_000 + run * 20 * KB, {
      clockMsPerRun: 2000,
      settings: { warmupRuns: 0 },
    })
    expect(confirmedLeak).toBe(false)
    expect(meta.confirmation).toBe('out of runs')
    expect(meta.windows).toEqual([24, 12])
  })

  it('never runs a test past its run limit', () => {
    const { meta } = hunt((run) => 50_000_000 + Math.min(run, 150) * 20 * KB, { settings: { maxRuns: 60 } })
    expect(meta.runs).toBeLessThanOrEqual(60)
    expect(meta.confirmation).toBe('out of runs')
  })

  it('checks a steady grower once more with the optimizers off: growth that stops there is compiled code', () => {
    // 1.5 KB a run while V8 optimizes (React in development mode on jsdom), nothing without it
    const { meta, confirmedLeak, offRuns, offAfter } = huntWithOptimizer((off) => (off ? 0 : 1536))
    expect(meta.confirmation).toBe('compiled code')
    expect(confirmedLeak).toBe(false)
    // the two confirming windows, then 24 unsampled runs without optimizers and a sample every 4th run
    expect(meta.windows).toEqual([24, 12, 12, 12])
    expect(meta.optimizerOffWindow).toBe(3)
    expect(offRuns.length).toBe(24 + 11 * 4)
    // in runs kept for it beyond the usual limit
    expect(meta.runs).toBe(96 + 24 + 11 * 4)
    expect(offAfter).toBe(false)
  })

  // measure's confirmation: a leak is looked at once more after a wait with nothing running.
  it('waits before calling a leak in measure, and calls memory given back by then held for a while', () => {
    const drive = (afterWait: (kept: number, last: number) => number) => {
      const test = new HuntedTest({ ...settings, idleCheckMs: 6000 }, () => 0)
      let bytes = 50_000_000
      for (let run = 0; run < 5000; run++) {
        bytes += 20 * KB
        const step = test.runFinished('pass', 1)
        if (step === 'stop') break
        if (step !== 'sample') continue
        const next = test.addSample(bytes + noise(run))
        if (next === 'idle') {
          expect(test.idleWaitMs).toBe(6000)
          const samples = test.samples
          expect(test.addIdleSample(afterWait(samples.at(-1)! - samples[0]!, samples.at(-1)!))).toBe('stop')
          break
        }
        if (next === 'stop') break
      }
      return { meta: test.meta(), confirmedLeak: test.confirmedLeak }
    }
    const released = drive((kept, last) => last - 0.8 * kept)
    expect(released.meta.confirmation).toBe('given back')
    expect(released.confirmedLeak).toBe(false)
    expect(released.meta.idle?.waitedMs).toBe(6000)
    const held = drive((_kept, last) => last)
    expect(held.meta.confirmation).toBe('kept growing')
    expect(held.confirmedLeak).toBe(true)
    expect(held.meta.idle?.givenBackBytes).toBe(0)
    // hunt mode without idle checks
    expect(hunt((run) => 50_000_000 + run * 20 * KB).meta.idle).toBeUndefined()
  })

  // hunt waits only for a leak whose runs left a timer or socket open that was not open before: what those hold may be
  // let go when they fire or close (a keep-alive connection's idle timeout, a debounce timer).
  it('waits before calling a leak in hunt only when the test left a resource open', () => {
    const drive = (open: (run: number) => Record<string, number>) => {
      const openBeforeFirstRun = { TTYWrap: 2, Timeout: 1 }
      const test = new HuntedTest({ ...settings, idleCheckMs: 6000, openBeforeFirstRun }, () => 0)
      let bytes = 50_000_000
      let waited = false
      for (let run = 0; run < 5000; run++) {
        bytes += 20 * KB
        const step = test.runFinished('pass', 1)
        if (step === 'stop') break
        if (step !== 'sample') continue
        const next = test.addSample(bytes + noise(run), [], open(run))
        if (next === 'idle') {
          waited = true
          expect(test.addIdleSample(bytes)).toBe('stop')
          break
        }
        if (next === 'stop') break
      }
      return {
        waited,
        leftOpen: test.leftOpen(),
        pattern: test.leftOpenPattern(),
        confirmedLeak: test.confirmedLeak,
        meta: test.meta(),
      }
    }
    // one more timer than before the first run (a debounce timer re-armed on every run): a wait
    const debounced = drive(() => ({ TTYWrap: 2, Timeout: 2 }))
    expect(debounced).toMatchObject({ waited: true, leftOpen: ['Timeout'], pattern: 'Timeout', confirmedLeak: true })
    expect(debounced.meta.idle?.waitedMs).toBe(6000)
    // a socket per run: a wait
    const sockets = drive((run) => ({ TTYWrap: 2, Timeout: 1, TCPSocketWrap: run }))
    expect(sockets).toMatchObject({ waited: true, leftOpen: ['TCPSocketWrap'], pattern: 'TCPSocketWrap per run' })
    // what was open before, and no more: no wait, the leak stands
    const plain = drive(() => ({ TTYWrap: 2, Timeout: 1 }))
    expect(plain).toMatchObject({ waited: false, leftOpen: [], confirmedLeak: true })
    expect(plain.meta.idle).toBeUndefined()
  })

  // @mswjs/interceptors' https test: 30 KiB a run kept for 2–4 s, then released, optimizers or not.
  it('calls memory that falls with the optimizers off given back, not compiled code', () => {
    const { meta, confirmedLeak } = huntWithOptimizer((off) => (off ? -40 * KB : 30 * KB))
    expect(meta.confirmation).toBe('given back')
    expect(confirmedLeak).toBe(false)
  })

  it('checks growth that slowed but did not stop the same way when the runs run out', () => {
    // 1 KB a run while V8 optimizes; the runs end after one confirming window, growth unexplained
    const { meta, confirmedLeak } = huntWithOptimizer((off) => (off ? 0 : 1024), { maxRuns: 24 + 24 + 40 })
    expect(meta.confirmation).toBe('compiled code')
    expect(confirmedLeak).toBe(false)
    expect(meta.windows!.at(-1)).toBe(12)
    const { meta: growing } = huntWithOptimizer(() => 1024, { maxRuns: 24 + 24 + 40 })
    expect(growing.confirmation).toBe('out of runs')
    expect(growing.optimizerOffWindow).toBe(growing.windows!.length - 1)
  })

  it('confirms a leak that goes on with the optimizers off', () => {
    const { meta, confirmedLeak, offAfter } = huntWithOptimizer(() => 4 * KB)
    expect(meta.confirmation).toBe('kept growing')
    expect(confirmedLeak).toBe(true)
    expect(meta.windows).toEqual([24, 12, 12, 12])
    expect(offAfter).toBe(false)
  })

  it('confirms a leak without the check in a process that has no optimizers (--jitless)', () => {
    const { meta, confirmedLeak, offRuns } = huntWithOptimizer(() => 4 * KB, { optimizerCheck: false })
    expect(confirmedLeak).toBe(true)
    expect(meta.windows).toEqual([24, 12, 12])
    expect(meta.optimizerOffWindow).toBeUndefined()
    expect(offRuns).toEqual([])
  })

  it('adds up what test tooling held over the runs', () => {
    const test = new HuntedTest({ ...settings, warmupRuns: 0 }, () => 0)
    expect(test.runFinished('pass', 1)).toBe('sample')
    test.addSample(1, [{ holder: 'vitest-mocks', objects: 2, bytes: 10_000, measuredRuns: 1 }])
    test.runFinished('pass', 1)
    test.addSample(2, [{ holder: 'vitest-mocks', objects: 2 }])
    expect(test.meta().tooling).toEqual([{ holder: 'vitest-mocks', objects: 4, bytes: 10_000, measuredRuns: 1 }])
  })
})

describe("measure's confirmation: a quick clear", () => {
  const quick = { settings: { quickClearBytes: 4 * KB, floorBytes: 4 * KB } }

  it('clears a test whose warm-up put its first bound over the bar with the span after it, in 17 runs', () => {
    // 48 KB on the first run (code compiled, a cache filled), 6 KB a run while V8 compiles, then 1.5 KB a run.
    const memory = (run: number) => 50_000_000 + 48 * KB + Math.min(run, 8) * 6 * KB + Math.max(0, run - 8) * 1.5 * KB
    const { meta, runs, confirmedLeak } = hunt(memory, quick)
    expect(runs).toBe(1 + RUNS_TO_FIRST_BOUND + QUICK_CLEAR_RUNS)
    expect(meta.quickClear).toEqual({ runs: 8, afterRuns: 9, bytesPerRun: 1536, barBytes: 4096 })
    expect(meta.samples).toEqual([])
    expect(confirmedLeak).toBe(false)
  })

  it("settles as many runs as it is told before its first sample (a worker's first test: more)", () => {
    const memory = (run: number) => 50_000_000 + Math.min(run, 24) * 6 * KB + Math.max(0, run - 24) * 1 * KB
    const { meta, runs } = hunt(memory, { settings: { ...quick.settings, runsToFirstBound: 24 } })
    expect(runs).toBe(1 + 24 + QUICK_CLEAR_RUNS)
    expect(meta.quickClear).toEqual({ runs: 8, afterRuns: 25, bytesPerRun: 1024, barBytes: 4096 })
  })

  it("clears against its own bar, not the windows' floor", () => {
    // 6 KB a run: over the windows' 4 KB floor, under the quick clear's 8 KB (at the first bound, 8 runs in).
    const memory = (run: number) => 50_000_000 + run * 6 * KB
    const { meta } = hunt(memory, { settings: { quickClearBytes: 8 * KB, floorBytes: 4 * KB } })
    expect(meta.quickClear).toEqual({ runs: 8, afterRuns: 1, bytesPerRun: 6 * KB, barBytes: 8 * KB, atMost: true })
  })

  it('counts what Vitest keeps per run against the test, as the windows do', () => {
    const { meta } = hunt((run) => 50_000_000 + run * 5 * KB, { settings: { ...quick.settings, harnessBytes: 2 * KB } })
    expect(meta.quickClear?.bytesPerRun).toBe(3 * KB)
  })

  it('tries a span twice as long when the first is over the bar, and clears a test whose warm-up ran out there', () => {
    // 6 KB a run up to run 20, then 1 KB: the first span (runs 10–17) is over the bar, the second (18–33) under it.
    const memory = (run: number) => 50_000_000 + Math.min(run, 20) * 6 * KB + Math.max(0, run - 20) * 1 * KB
    const { meta, runs } = hunt(memory, quick)
    expect(runs).toBe(1 + RUNS_TO_FIRST_BOUND + QUICK_CLEAR_RUNS + 2 * QUICK_CLEAR_RUNS)
    expect(meta.quickClear).toEqual({ runs: 16, afterRuns: 17, bytesPerRun: 2304, barBytes: 4096 })
  })

  it('leaves a slow test to the windows once its spans took half their time', () => {
    const { meta } = hunt((run) => 50_000_000 + run * 8 * KB, { ...quick, clockMsPerRun: 1000 })
    // The first span alone (17 runs of 1 s) is past half of confirmMaxMs: no second span (the warm-up, past its
    // time too, adds the one run that closes with the first window's first sample).
    expect(meta.warmupRuns).toBe(RUNS_TO_FIRST_BOUND + QUICK_CLEAR_RUNS + 1)
  })

  it('leaves a test over the bar in every span to the windows, its quick runs counted as warm-up, and still finds the leak', () => {
    const { meta, confirmedLeak } = hunt((run) => 50_000_000 + run * 8 * KB, quick)
    expect(meta.quickClear).toBeUndefined()
    expect(meta.warmupRuns).toBe(RUNS_TO_FIRST_BOUND + QUICK_CLEAR_RUNS * (2 ** QUICK_CLEAR_SPANS - 1))
    expect(meta.confirmation).toBe('kept growing')
    expect(confirmedLeak).toBe(true)
  })

  it('asks for a settled sample after the first run, bounds, a settled sample after them, then spans', () => {
    const test = new HuntedTest({ ...settings, ...quick.settings }, () => 0)
    expect(test.runFinished('pass', 1)).toBe('sample')
    expect([test.firstSample, test.afterUnsampledRuns]).toEqual([true, true])
    expect(test.addSample(50_000_000)).toBe('next')
    for (let run = 1; run < RUNS_TO_FIRST_BOUND; run++) expect(test.runFinished('pass', 1)).toBe('next')
    expect(test.runFinished('pass', 1)).toBe('bound')
    // Over the bar, and no time for more runs (boundRunsMaxMs unset): a settled sample completes the bound's GC.
    expect(test.addBound(50_000_000 + RUNS_TO_FIRST_BOUND * 16 * KB)).toBe('sample')
    expect([test.firstSample, test.afterUnsampledRuns, test.quickClearing]).toEqual([false, true, true])
    expect(test.addSample(50_000_000 + RUNS_TO_FIRST_BOUND * 16 * KB)).toBe('next')
    for (let run = 1; run < QUICK_CLEAR_RUNS; run++) expect(test.runFinished('pass', 1)).toBe('next')
    expect(test.runFinished('pass', 1)).toBe('sample')
    expect(test.addSample(50_000_000 + (RUNS_TO_FIRST_BOUND + QUICK_CLEAR_RUNS) * 16 * KB)).toBe('next')
    // Over the bar: a span of twice the runs, sampled at its end the same way.
    for (let run = 1; run < 2 * QUICK_CLEAR_RUNS; run++) expect(test.runFinished('pass', 1)).toBe('next')
    expect(test.runFinished('pass', 1)).toBe('sample')
    expect([test.firstSample, test.afterUnsampledRuns, test.quickClearing]).toEqual([false, true, true])
    expect(test.addSample(50_000_000 + (RUNS_TO_FIRST_BOUND + 3 * QUICK_CLEAR_RUNS) * 16 * KB)).toBe('next')
    for (let run = 1; run < 4 * QUICK_CLEAR_RUNS; run++) expect(test.runFinished('pass', 1)).toBe('next')
    expect(test.runFinished('pass', 1)).toBe('sample')
    expect(test.addSample(50_000_000 + (RUNS_TO_FIRST_BOUND + 7 * QUICK_CLEAR_RUNS) * 16 * KB)).toBe('next')
    expect(test.quickClearing).toBe(false)
    // Over the bar to the last span: its runs were the warm-up; the first window's first sample settles too.
    let step = test.runFinished('pass', 1)
    while (step === 'next') step = test.runFinished('pass', 1)
    expect(step).toBe('sample')
    expect([test.firstSample, test.afterUnsampledRuns]).toEqual([false, true])
  })

  it('does not clear without the setting (hunt mode)', () => {
    const { meta, runs } = hunt((run) => 50_000_000 + run * 0.1 * KB)
    expect(meta.quickClear).toBeUndefined()
    expect(runs).toBeGreaterThan(24)
  })
})

describe("measure's confirmation: bounds", () => {
  const bounded = { quickClearBytes: 8 * KB, floorBytes: 4 * KB, boundRunsMaxMs: 100 }

  /**
   * Drives a test in measure's confirmation: `memory(run)` is the settled heap after run `run` (from 0), `left(run)`
   * what one full GC leaves on top of it (a bound reads both).
   */
  function withBounds(
    memory: (run: number) => number,
    left: (run: number) => number = () => 0,
    options: Partial<HuntSettings> = {},
    msPerRun = 1,
  ) {
    const test = new HuntedTest({ ...settings, ...bounded, ...options }, () => 0)
    const steps: string[] = []
    let run = 0
    for (; run < 5000; run++) {
      let step = test.runFinished('pass', msPerRun)
      if (step === 'bound') {
        steps.push(`bound@${run + 1}`)
        step = test.addBound(memory(run) + left(run))
      }
      if (step === 'sample') {
        steps.push(`sample@${run + 1}`)
        step = test.addSample(memory(run))
      }
      if (step === 'stop') break
    }
    return { meta: test.meta(), runs: run + 1, steps, confirmedLeak: test.confirmedLeak }
  }

  it('takes a settled sample after the first run and clears at the first bound, 8 runs later, in one GC more', () => {
    // 300 KB one-off on the first run (left out), 2 KB a run of warm-up, 12 KB that one GC leaves: 3.5 KB a run at most.
    const { meta, runs, steps } = withBounds(
      (run) => 50_000_000 + 300 * KB + run * 2 * KB,
      () => 12 * KB,
    )
    expect(steps).toEqual(['sample@1', `bound@${1 + RUNS_TO_FIRST_BOUND}`])
    expect(runs).toBe(1 + RUNS_TO_FIRST_BOUND)
    expect(meta.quickClear).toEqual({ runs: 8, afterRuns: 1, bytesPerRun: 3.5 * KB, barBytes: 8 * KB, atMost: true })
    expect(meta.samples).toEqual([])
  })

  it('spreads a warm-up over more runs while runs are cheap: cleared at the third check, 33 runs in', () => {
    // 200 KB of warm-up over runs 2–25: 8 runs cannot spread it under 8 KB a run, 16 cannot, 32 can (6.25 KB).
    const { meta, steps } = withBounds((run) => 50_000_000 + Math.min(run, 24) * (200 / 24) * KB)
    expect(steps).toEqual(['sample@1', 'bound@9', 'bound@17', 'bound@33'])
    expect(meta.quickClear).toMatchObject({ runs: 32, afterRuns: 1, atMost: true })
  })

  it('stops spreading once the runs took their time, settles the last bound and goes on with spans', () => {
    // Slow runs (100 ms, over boundRunsMaxMs), 10 KB a run up to run 8, then 1 KB: the bound misses, a span clears.
    const memory = (run: number) => 50_000_000 + Math.min(run, 8) * 10 * KB + Math.max(0, run - 8) * KB
    const { meta, steps } = withBounds(memory, () => 0, {}, 100)
    expect(steps).toEqual(['sample@1', 'bound@9', 'sample@9', `sample@${9 + QUICK_CLEAR_RUNS}`])
    expect(meta.quickClear).toEqual({ runs: QUICK_CLEAR_RUNS, afterRuns: 9, bytesPerRun: KB, barBytes: 8 * KB })
  })

  it('clears with the settled sample when what one GC left put the bound over', () => {
    const { meta, steps } = withBounds(
      (run) => 50_000_000 + run * 6 * KB,
      () => 40 * KB,
      {},
      100,
    )
    expect(steps).toEqual(['sample@1', 'bound@9', 'sample@9'])
    expect(meta.quickClear).toEqual({ runs: 8, afterRuns: 1, bytesPerRun: 6 * KB, barBytes: 8 * KB })
  })

  it('never clears a leak: a test keeping the bar per run misses every bound and is confirmed by the windows', () => {
    const { meta, steps, confirmedLeak } = withBounds((run) => 50_000_000 + run * 10 * KB)
    expect(steps.slice(0, 5)).toEqual(['sample@1', 'bound@9', 'bound@17', 'bound@33', 'sample@33'])
    expect(meta.quickClear).toBeUndefined()
    expect(confirmedLeak).toBe(true)
  })

  it("waits for a worker's first test to settle longer before its first bound", () => {
    const { steps } = withBounds(
      () => 50_000_000,
      () => 0,
      { runsToFirstBound: 24 },
    )
    expect(steps).toEqual(['sample@1', 'bound@25'])
  })
})
