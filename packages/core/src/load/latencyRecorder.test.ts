import { describe, expect, it } from 'vitest'
import { LatencyRecorder } from './latencyRecorder.js'

describe('LatencyRecorder', () => {
  it('gives whole-run percentiles to 3 significant digits, without failed requests', () => {
    const recorder = new LatencyRecorder()
    for (let i = 1; i <= 1000; i++) recorder.record(i, i / 10, false)
    recorder.record(500, 9999, true)
    const { latencyMs, requests, errors } = recorder.finish()
    expect({ requests, errors }).toEqual({ requests: 1001, errors: 1 })
    // HDR histogram with 3 significant digits: each value within 0.1% of the exact one.
    expect(latencyMs.p50).toBeCloseTo(50, 1)
    expect(latencyMs.p90).toBeCloseTo(90, 1)
    expect(latencyMs.p99).toBeCloseTo(99, 1)
    expect(latencyMs.max).toBeCloseTo(100, 1)
    expect(latencyMs.mean).toBeCloseTo(50.05, 1)
  })

  it('keeps one point per second from 0 without gaps, tagged with the mode when its last request finished', () => {
    const recorder = new LatencyRecorder()
    recorder.record(100, 1, false)
    recorder.record(900, 3, true)
    recorder.setMode('reduced')
    recorder.record(3500, 2, false)
    const { timeline } = recorder.finish()
    expect(timeline).toEqual([
      { atMs: 0, requests: 2, errors: 1, latencyMs: { p50: 1, p99: 1, max: 1 }, mode: 'normal' },
      { atMs: 1000, requests: 0, errors: 0, latencyMs: { p50: 0, p99: 0, max: 0 }, mode: 'reduced' },
      { atMs: 2000, requests: 0, errors: 0, latencyMs: { p50: 0, p99: 0, max: 0 }, mode: 'reduced' },
      { atMs: 3000, requests: 1, errors: 0, latencyMs: { p50: 2, p99: 2, max: 2 }, mode: 'reduced' },
    ])
  })

  it('counts a late sample for a closed second in the oldest open one, and closes seconds as time moves on', () => {
    const recorder = new LatencyRecorder()
    recorder.record(500, 1, false)
    recorder.setMode('minimal')
    recorder.record(10_500, 1, false)
    recorder.record(600, 5, false)
    const { timeline, requests } = recorder.finish()
    expect(requests).toBe(3)
    expect(timeline).toHaveLength(11)
    expect(timeline[0]).toMatchObject({ requests: 1, mode: 'normal' })
    // Seconds 8, 9 and 10 were open (three are kept open for late worker batches).
    expect(timeline[8]).toMatchObject({ atMs: 8000, requests: 1 })
    expect(timeline[8]!.latencyMs.max).toBeCloseTo(5, 1)
    expect(timeline[10]).toMatchObject({ atMs: 10_000, requests: 1, mode: 'minimal' })
  })

  it('keeps ten distinct error messages with counts, most frequent first, the rest as other errors', () => {
    const recorder = new LatencyRecorder()
    for (let i = 0; i < 12; i++) recorder.countError(`E${i}`, i + 1)
    recorder.countError('E0', 100)
    const { errorMessages } = recorder.finish()
    expect(errorMessages[0]).toEqual({ message: 'E0', count: 101 })
    expect(errorMessages[1]).toEqual({ message: 'other errors', count: 23 })
    expect(errorMessages).toHaveLength(11)
  })
})
