import { describe, expect, it } from 'vitest'
import { BoundedTimeline, type MonitorPoint } from './timeline.js'

const point = (atMs: number, heapUsedBytes: number, cpuShare = 0.5): MonitorPoint => ({
  atMs,
  heapUsedBytes,
  rssBytes: heapUsedBytes * 2,
  cpuShare,
  eventLoopDelayMaxMs: atMs / 100,
})

describe('BoundedTimeline', () => {
  it('keeps every point until it is full', () => {
    const timeline = new BoundedTimeline(4)
    for (const at of [100, 200, 300]) timeline.add(point(at, at))
    expect(timeline.points()).toEqual([point(100, 100), point(200, 200), point(300, 300)])
  })

  it('merges neighbours in pairs when full: maxima of memory and stalls, mean CPU, the later time', () => {
    const timeline = new BoundedTimeline(4)
    timeline.add(point(100, 900, 0.2))
    timeline.add(point(200, 100, 0.4))
    timeline.add(point(300, 300, 1))
    timeline.add(point(400, 400, 0))
    expect(timeline.points()).toEqual([
      { atMs: 200, heapUsedBytes: 900, rssBytes: 1800, cpuShare: 0.30000000000000004, eventLoopDelayMaxMs: 2 },
      { atMs: 400, heapUsedBytes: 400, rssBytes: 800, cpuShare: 0.5, eventLoopDelayMaxMs: 4 },
    ])
  })

  it('covers the whole run at halving resolution, never more points than its capacity', () => {
    const timeline = new BoundedTimeline(8)
    for (let i = 1; i <= 1000; i++) timeline.add(point(i, i))
    const points = timeline.points()
    expect(points.length).toBeLessThanOrEqual(8)
    expect(points[0]!.atMs).toBeLessThan(200)
    expect(points.at(-1)).toMatchObject({ atMs: 1000, heapUsedBytes: 1000 })
    expect(Math.max(...points.map((p) => p.heapUsedBytes))).toBe(1000)
  })
})
