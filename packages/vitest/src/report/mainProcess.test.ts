import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { MainProcessWatch } from './mainProcess.js'

const bounds = { baseIntervalMs: 20, minIntervalMs: 20, maxIntervalMs: 20 }

describe('MainProcessWatch', () => {
  it('reports what the monitor saw of this process: samples, a stall of the event loop, the peak heap', async () => {
    const watch = new MainProcessWatch(bounds, () => {})
    watch.start()
    await sleep(60)
    const until = performance.now() + 150
    while (performance.now() < until) {} // the event loop blocked for 150 ms
    await sleep(60)
    // Before the end (an interrupted run) the report is what was seen so far.
    expect(watch.report()?.samples).toBeGreaterThan(0)
    watch.stop()
    const report = watch.report()!
    expect(report.eventLoopDelayMs.max).toBeGreaterThanOrEqual(100)
    expect(report.peakHeapBytes).toBeGreaterThan(0)
    expect(report.peakRssBytes).toBeGreaterThan(report.peakHeapBytes)
    expect(Object.keys(report).sort()).toEqual([
      'cpuShare',
      'durationMs',
      'eventLoopDelayMs',
      'gc',
      'peakHeapBytes',
      'peakRssBytes',
      'samples',
      'samplingRate',
    ])
  })

  it('starts a new monitor for each run, and keeps the last run’s report until then', async () => {
    const watch = new MainProcessWatch(bounds, () => {})
    watch.start()
    await sleep(50)
    watch.stop()
    const first = watch.report()!
    expect(watch.report()).toBe(first)
    watch.start()
    await sleep(30)
    watch.stop()
    expect(watch.report()).not.toBe(first)
    expect(watch.report()!.durationMs).toBeLessThan(first.durationMs + 1000)
  })

  it('says once, with the reason, when the monitor cannot start, and the report then has no mainProcess', () => {
    const said: string[] = []
    const watch = new MainProcessWatch({ baseIntervalMs: 100, minIntervalMs: 200, maxIntervalMs: 100 }, (m) =>
      said.push(m),
    )
    watch.start()
    watch.start()
    watch.stop()
    expect(watch.report()).toBeUndefined()
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(
      /^Vitest's main process is not monitored \(the report has no mainProcess\): .*minIntervalMs/,
    )
  })
})
