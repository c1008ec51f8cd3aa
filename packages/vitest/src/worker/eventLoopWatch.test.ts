import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { EventLoopWatch, StallTracker } from './eventLoopWatch.js'

/** A test that ran from `from` to `to`. */
function ran(tracker: StallTracker, test: string, from: number, to: number) {
  tracker.testStarted(test, from)
  tracker.testEnded(to)
}

describe('StallTracker', () => {
  it('blames a stall on the test that ran longest since the loop last turned', () => {
    const tracker = new StallTracker(20, 0)
    tracker.turn(20)
    ran(tracker, 'a > quick', 21, 22)
    ran(tracker, 'a > blocks', 22, 322)
    tracker.turn(330)
    tracker.turn(350)
    expect(tracker.take(360)).toMatchObject({ maxDelayMs: 290, test: 'a > blocks' })
  })

  it('blames a test for no more than it ran, when quick tests follow each other without a turn of the loop', () => {
    const tracker = new StallTracker(20, 0)
    for (let i = 0; i < 100; i++) {
      ran(tracker, `q > test ${i}`, i * 5, i * 5 + (i === 42 ? 4 : 3))
    }
    tracker.turn(520)
    expect(tracker.take(521)).toMatchObject({ maxDelayMs: 4, test: 'q > test 42' })
  })

  it('sees a stall of the last test before the timer fires, and starts again after take()', () => {
    const tracker = new StallTracker(20, 0)
    tracker.testStarted('b > sync at the end', 5)
    expect(tracker.take(205)).toMatchObject({ maxDelayMs: 185, test: 'b > sync at the end' })
    tracker.turn(225)
    expect(tracker.take(230)).toMatchObject({ maxDelayMs: 0, test: null })
  })

  it('keeps the three longest stalls, longest first, each with its test', () => {
    const tracker = new StallTracker(20, 0)
    let at = 0
    for (const [name, ms] of [
      ['e > 100', 100],
      ['e > 40', 40],
      ['e > 300', 300],
      ['e > 60', 60],
      ['e > 200', 200],
    ] as const) {
      ran(tracker, name, at, at + ms)
      at += ms + 20
      tracker.turn(at)
    }
    expect(tracker.take(at + 1)).toEqual({
      maxDelayMs: 300,
      test: 'e > 300',
      stalls: [
        { ms: 300, test: 'e > 300' },
        { ms: 200, test: 'e > 200' },
        { ms: 100, test: 'e > 100' },
      ],
    })
    tracker.turn(at + 21)
    expect(tracker.take(at + 22).stalls).toEqual([])
  })

  it('gives each long test its own stall when several ran without a turn of the loop between them', () => {
    const tracker = new StallTracker(20, 0)
    ran(tracker, 'f > 250', 0, 250)
    ran(tracker, 'f > quick', 250, 252)
    ran(tracker, 'f > 120', 252, 372)
    tracker.turn(392)
    expect(tracker.take(393).stalls).toEqual([
      { ms: 250, test: 'f > 250' },
      { ms: 120, test: 'f > 120' },
    ])
  })

  it('leaves out the time of our own probes, and names no test for a stall between tests', () => {
    const tracker = new StallTracker(20, 0)
    ran(tracker, 'c > test', 1, 2)
    tracker.ours(130)
    tracker.turn(170)
    tracker.turn(260)
    expect(tracker.take(261)).toMatchObject({ maxDelayMs: 70, test: null })
  })
})

describe('EventLoopWatch', () => {
  it('measures a real synchronous stall of the loop and names the test that made it', async () => {
    const watch = new EventLoopWatch()
    await new Promise((resolve) => setTimeout(resolve, 50))
    watch.testStarted('d > spins for 150 ms')
    const until = performance.now() + 150
    while (performance.now() < until) {
      // blocks the loop
    }
    watch.testEnded()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const stats = watch.takeFile()
    watch.stop()
    expect(stats.test).toBe('d > spins for 150 ms')
    expect(stats.maxDelayMs).toBeGreaterThan(100)
  })

  it('counts GC time reported by Node (the worker’s own GCs)', async () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const watch = new EventLoopWatch()
    // Node reports a GC from an immediate queued as it ends: one settled() brings it, however busy the machine.
    const perRound: number[] = []
    for (let i = 0; i < 5; i++) {
      gc()
      await watch.settled()
      perRound.push(watch.takeFile().gcMs)
    }
    watch.stop()
    for (const gcMs of perRound) expect(gcMs, perRound.join(', ')).toBeGreaterThan(0)
  })

  it('leaves out the GCs a probe forces, and still counts a GC that ended just before it', async () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const watch = new EventLoopWatch()
    const probe = () => {
      const from = performance.now()
      watch.probeStarted()
      gc()
      gc()
      watch.probeEnded(from, performance.now())
      return performance.now() - from
    }
    let probesMs = 0
    let inProbes = 0
    for (let i = 0; i < 5; i++) {
      probesMs += probe()
      await watch.settled()
      inProbes += watch.takeFile().gcMs
    }
    // Node reports the GC before the probe from an immediate queued as it ends: after the probe, observed again.
    const before: number[] = []
    for (let i = 0; i < 5; i++) {
      gc()
      probe()
      await watch.settled()
      before.push(watch.takeFile().gcMs)
    }
    watch.stop()
    // What the test process's own allocations may trigger meanwhile is a small share of ten forced full GCs.
    expect(inProbes, `${inProbes} ms of ${probesMs} ms`).toBeLessThan(probesMs / 4)
    for (const gcMs of before) expect(gcMs, before.join(', ')).toBeGreaterThan(0)
  })
})
