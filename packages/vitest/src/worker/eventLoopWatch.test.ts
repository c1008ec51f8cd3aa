import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { EventLoopWatch, gcMsOutside, StallTracker } from './eventLoopWatch.js'

describe('StallTracker', () => {
  it('blames a stall on the test that ran longest since the loop last turned', () => {
    const tracker = new StallTracker(20, 0)
    tracker.turn(20)
    tracker.testStarted('a > quick', 21)
    tracker.testEnded(22)
    tracker.testStarted('a > blocks', 22)
    tracker.testEnded(322)
    tracker.turn(330)
    tracker.turn(350)
    expect(tracker.take(360)).toEqual({ maxDelayMs: 290, test: 'a > blocks' })
  })

  it('blames a test for no more than it ran, when quick tests follow each other without a turn of the loop', () => {
    const tracker = new StallTracker(20, 0)
    for (let i = 0; i < 100; i++) {
      tracker.testStarted(`q > test ${i}`, i * 5)
      tracker.testEnded(i * 5 + (i === 42 ? 4 : 3))
    }
    tracker.turn(520)
    expect(tracker.take(521)).toEqual({ maxDelayMs: 4, test: 'q > test 42' })
  })

  it('sees a stall of the last test before the timer fires, and starts again after take()', () => {
    const tracker = new StallTracker(20, 0)
    tracker.testStarted('b > sync at the end', 5)
    expect(tracker.take(205)).toEqual({ maxDelayMs: 185, test: 'b > sync at the end' })
    tracker.turn(225)
    expect(tracker.take(230)).toEqual({ maxDelayMs: 0, test: null })
  })

  it('leaves out the time of our own probes, and names no test for a stall between tests', () => {
    const tracker = new StallTracker(20, 0)
    tracker.testStarted('c > test', 1)
    tracker.testEnded(2)
    tracker.ours(130)
    tracker.turn(170)
    tracker.turn(260)
    expect(tracker.take(261)).toEqual({ maxDelayMs: 70, test: null })
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
    let gcMs = 0
    // Node reports GCs on a later turn of the loop; on a busy machine, one turn may not be enough.
    for (let i = 0; i < 50 && gcMs === 0; i++) {
      gc()
      await watch.settled()
      gcMs += watch.takeFile().gcMs
    }
    watch.stop()
    expect(gcMs).toBeGreaterThan(0)
  })
})

describe('gcMsOutside', () => {
  it('leaves out the GCs that started in a probe’s window', () => {
    const entries = [
      { startTime: 5, duration: 2 },
      { startTime: 10, duration: 30 },
      { startTime: 40, duration: 3 },
      { startTime: 60, duration: 4 },
    ]
    expect(gcMsOutside(entries, [[10, 40]])).toBe(6)
    expect(gcMsOutside(entries, [])).toBe(39)
  })
})
