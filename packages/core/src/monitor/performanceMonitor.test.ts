import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { forceFullGc } from '../../test/gc.js'
import { PerformanceMonitor } from './performanceMonitor.js'

const MB = 1024 * 1024

/** Keeps this thread's event loop busy for `ms`, yielding every few ms so timers still fire. */
async function busyFor(ms: number): Promise<void> {
  const end = performance.now() + ms
  while (performance.now() < end) {
    const slice = performance.now() + 4
    while (performance.now() < slice) {
      // spin
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('PerformanceMonitor', () => {
  it('takes a baseline at start, samples at its interval and summarises memory, CPU and delay', async () => {
    const monitor = new PerformanceMonitor({ intervalMs: 20 }).start()
    await sleep(300)
    const summary = monitor.stop()
    // One sample per interval and one at stop; Node may fire a timer up to a millisecond early, never more.
    expect(summary.samples).toBeGreaterThanOrEqual(2)
    expect(summary.samples).toBeLessThanOrEqual(Math.floor(summary.durationMs / 19) + 1)
    expect(summary.durationMs).toBeGreaterThanOrEqual(300)
    expect(summary.baseline.heapUsedBytes).toBeGreaterThan(0)
    expect(summary.peakHeapBytes).toBeGreaterThanOrEqual(summary.baseline.heapUsedBytes)
    expect(summary.peakRssBytes).toBeGreaterThanOrEqual(summary.baseline.rssBytes)
    expect(summary.cpuShare).toBeGreaterThanOrEqual(0)
    expect(summary.cpuShare).toBeLessThanOrEqual(1)
    expect(summary.timeline).toHaveLength(summary.samples)
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary)
  })

  it('reports a synchronous stall of 150 ms among the longest stalls and as the event-loop delay maximum', async () => {
    const monitor = new PerformanceMonitor({ intervalMs: 50 }).start()
    await sleep(60)
    const end = performance.now() + 150
    while (performance.now() < end) {
      // block the event loop
    }
    await sleep(120)
    const summary = monitor.stop()
    // The delay timer ticks every 50 ms: a stall starting just after a tick shows as up to 50 ms less, never more less.
    expect(summary.stalls[0]!.durationMs).toBeGreaterThanOrEqual(100)
    expect(summary.eventLoopDelayMs.max).toBeGreaterThanOrEqual(100)
    expect(summary.eventLoopDelayMs.p50).toBeLessThan(summary.eventLoopDelayMs.max)
  })

  it('reports the heap peak of an allocation burst freed by a GC between two samples', async () => {
    const monitor = new PerformanceMonitor({ intervalMs: 5_000 }).start()
    const baseline = monitor.summary().baseline.heapUsedBytes
    let burst: number[][] | undefined = Array.from({ length: 40 }, () =>
      Array.from({ length: 128 * 1024 }, (_, i) => i + 0.5),
    )
    expect(burst.length).toBe(40)
    burst = undefined
    forceFullGc()
    const heapAfterGc = process.memoryUsage().heapUsed
    const summary = monitor.stop()
    // 40 arrays of 128k doubles: 40 MB; the samples (start and stop) both missed it.
    expect(heapAfterGc).toBeLessThan(baseline + 20 * MB)
    expect(summary.samples).toBe(1)
    expect(summary.peakHeapBytes).toBeGreaterThan(baseline + 35 * MB)
    expect(summary.gc.byKind.MarkSweepCompact?.count).toBeGreaterThanOrEqual(1)
    expect(summary.gc.pauseMs).toBeGreaterThan(0)
    expect(summary.gc.maxPauseMs).toBeLessThanOrEqual(summary.gc.pauseMs)
  })

  it('steps its rate down while the event loop is busy and back up to 100% when idle', async () => {
    const monitor = new PerformanceMonitor({ intervalMs: 20 }).start()
    await busyFor(400)
    const busy = monitor.summary()
    expect(busy.currentSamplingRate).toBe(0.4)
    expect(busy.rateChanges.map((change) => change.rate)).toEqual([0.8, 0.6, 0.4])
    await sleep(800)
    const summary = monitor.stop()
    expect(summary.currentSamplingRate).toBe(1)
    expect(summary.rateChanges.map((change) => change.rate)).toEqual([0.8, 0.6, 0.4, 0.6, 0.8, 1])
    expect(summary.samplingRate).toBeLessThan(1)
  })

  it('keeps to a fixed rate when maxIntervalMs is the base interval', async () => {
    const monitor = new PerformanceMonitor({ sampling: { baseIntervalMs: 20, maxIntervalMs: 20 } }).start()
    await busyFor(300)
    const summary = monitor.stop()
    expect(summary.rateChanges).toEqual([])
    expect(summary.currentSamplingRate).toBe(1)
  })

  it('runs once, and refuses unknown options with the closest name', () => {
    const monitor = new PerformanceMonitor().start()
    expect(() => monitor.start()).toThrow('PerformanceMonitor: start() was already called')
    monitor.stop()
    expect(monitor.stop().samples).toBe(1)
    expect(() => new PerformanceMonitor({ intervalMS: 100 } as never)).toThrow(
      'PerformanceMonitor: unknown option "intervalMS" (did you mean "intervalMs"?); allowed options: intervalMs, sampling.',
    )
    expect(() => new PerformanceMonitor({ intervalMs: 0 })).toThrow(
      'PerformanceMonitor: intervalMs must be a finite number of ms ≥ 1; got 0.',
    )
  })
})
