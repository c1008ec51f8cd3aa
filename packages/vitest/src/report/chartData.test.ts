import type { LoadTestResult } from '@qtests/core'
import { describe, expect, it } from 'vitest'
import type { FileReport, LoadTestReport, WorkersReport } from './schema.js'
import { bytesAt, fileRows, loadChart, memoryChart, scalingChart } from './chartData.js'

const MIB = 1024 ** 2

function file(name: string, extra: Partial<FileReport>): FileReport {
  return {
    file: name,
    project: null,
    verdict: 'clean',
    retainedBytes: 0,
    growthBytesPerTest: null,
    confidence: 1,
    tests: [],
    reason: '',
    state: 'passed',
    ...extra,
  }
}

function workers(extra: Partial<WorkersReport>): WorkersReport {
  return { adaptive: true, min: 1, max: 2, peakConcurrency: 2, timeline: [], retries: [], ...extra }
}

describe('memoryChart', () => {
  // Two slots: worker 10 runs a.test.ts then b.test.ts (new process 11 for b), worker 20 runs c.test.ts alongside.
  const files = [
    file('test/a.test.ts', { worker: 10, startMs: 0, durationMs: 500 }),
    file('test/b.test.ts', { worker: 11, startMs: 600, durationMs: 400, verdict: 'leak' }),
    file('test/c.test.ts', { worker: 20, startMs: 250, durationMs: 750 }),
  ]
  const memory = [
    {
      pid: 10,
      samples: [
        { t: 250, rssBytes: 100 * MIB },
        { t: 500, rssBytes: 120 * MIB },
      ],
    },
    {
      pid: 11,
      samples: [
        { t: 750, rssBytes: 80 * MIB },
        { t: 1000, rssBytes: 160 * MIB },
      ],
    },
    {
      pid: 20,
      samples: [
        { t: 500, rssBytes: 60 * MIB },
        { t: 750, rssBytes: 64 * MIB },
        { t: 1000, rssBytes: 70 * MIB },
      ],
    },
  ]
  const chart = memoryChart(files, workers({ workerMemory: memory }))!

  it('puts a file started after another ended on the same lane, and one running alongside on a second lane', () => {
    expect(chart.lanes.map((lane) => lane.label)).toEqual(['worker 1', 'worker 2'])
    expect(chart.boundaries).toEqual([
      { x: 0, lane: 0, file: 'test/a.test.ts' },
      { x: 0.25, lane: 1, file: 'test/c.test.ts' },
      { x: 0.6, lane: 0, file: 'test/b.test.ts' },
    ])
  })

  it('gives each lane its memory while its files run, null between them, on one shared time axis', () => {
    expect(chart.x).toEqual([0, 0.25, 0.5, 0.6, 0.75, 1])
    expect(chart.measure).toBe('RSS')
    expect(chart.lanes[0]!.mib).toEqual([100, 100, 120, 80, 80, 160])
    expect(chart.lanes[1]!.mib).toEqual([null, 60, 60, 61.6, 64, 70])
  })

  it('marks a leaking file where it ended on its lane', () => {
    expect(chart.markers).toEqual([{ x: 1, lane: 0, mib: 160, file: 'test/b.test.ts', verdict: 'leak' }])
  })

  it("charts thread workers by their heap, a thread's files on its own lane", () => {
    const threads = memoryChart(
      [
        file('test/a.test.ts', { worker: null, thread: 3, startMs: 0, durationMs: 500 }),
        file('test/b.test.ts', { worker: null, thread: 4, startMs: 100, durationMs: 400, verdict: 'suspect' }),
        file('test/c.test.ts', { worker: null, thread: 3, startMs: 500, durationMs: 500 }),
      ],
      workers({
        threadMemory: [
          { thread: 3, samples: [0, 500, 1000].map((t) => ({ t, heapBytes: (10 + t / 100) * MIB })) },
          { thread: 4, samples: [{ t: 250, heapBytes: 40 * MIB }] },
        ],
      }),
    )!
    expect(threads.measure).toBe('heap')
    expect(threads.boundaries.map((b) => [b.file, b.lane])).toEqual([
      ['test/a.test.ts', 0],
      ['test/b.test.ts', 1],
      ['test/c.test.ts', 0],
    ])
    expect(threads.x).toEqual([0, 0.1, 0.25, 0.5, 1])
    expect(threads.lanes.map((lane) => lane.mib)).toEqual([
      [10, 11, 12.5, 15, 20],
      [null, 40, 40, 40, null],
    ])
    expect(threads.markers).toEqual([{ x: 0.5, lane: 1, mib: 40, file: 'test/b.test.ts', verdict: 'suspect' }])
  })

  it('is null without per-worker samples (thread workers on an older Node, adaptive workers off)', () => {
    expect(memoryChart([file('test/a.test.ts', { worker: null, startMs: 0, durationMs: 10 })], workers({}))).toBeNull()
  })
})

describe('bytesAt', () => {
  const samples = [
    { t: 100, bytes: 10 },
    { t: 200, bytes: 30 },
  ]
  it('interpolates between samples and takes the nearest outside them', () => {
    expect([bytesAt(samples, 50), bytesAt(samples, 150), bytesAt(samples, 200), bytesAt(samples, 999)]).toEqual([
      10, 20, 30, 30,
    ])
    expect(bytesAt([], 1)).toBeNull()
  })
})

describe('scalingChart', () => {
  it('turns the timeline into seconds, limits, running files and MiB, with the budget', () => {
    const chart = scalingChart(
      workers({
        memoryBudgetBytes: 1024 * MIB,
        timeline: [
          { t: 0, running: 0, limit: 2, rssBytes: null },
          { t: 1500, running: 2, limit: 4, rssBytes: 300 * MIB },
        ],
      }),
    )
    expect(chart).toEqual({ x: [0, 1.5], limit: [2, 4], running: [0, 2], rssMib: [null, 300], budgetMib: 1024 })
    expect(scalingChart(workers({}))).toBeNull()
  })
})

describe('fileRows', () => {
  it('gives each file its duration, peak memory, retained bytes, longest event-loop stall and verdict; null where not measured', () => {
    const rows = fileRows([
      file('test/a.test.ts', {
        durationMs: 1200,
        peakRssBytes: 90e6,
        retainedBytes: 5000,
        verdict: 'leak',
        eventLoop: { maxDelayMs: 48, test: 'a > blocks' },
      }),
      file('test/b.test.ts', {}),
    ])
    expect(rows).toEqual([
      {
        file: 'test/a.test.ts',
        project: null,
        verdict: 'leak',
        durationMs: 1200,
        peakRssBytes: 90e6,
        retainedBytes: 5000,
        eventLoopMaxMs: 48,
        eventLoopNote: 'longest stall: 48 ms during a > blocks',
      },
      {
        file: 'test/b.test.ts',
        project: null,
        verdict: 'clean',
        durationMs: null,
        peakRssBytes: null,
        retainedBytes: 0,
        eventLoopMaxMs: null,
        eventLoopNote: null,
      },
    ])
  })

  it('lists the longest stalls in the note, and says when a stall fell between tests', () => {
    const [row] = fileRows([
      file('test/c.test.ts', {
        eventLoop: {
          maxDelayMs: 300,
          test: 'c > parses',
          stalls: [
            { ms: 300, test: 'c > parses' },
            { ms: 120.4, test: null },
          ],
        },
      }),
    ])
    expect(row!.eventLoopNote).toBe('longest stalls: 300 ms during c > parses; 120 ms between tests')
  })
})

describe('loadChart', () => {
  it('charts latency and rate per second and marks each memory mode switch, not the start', () => {
    const point = (atMs: number, requests: number, p50: number, p99: number, mode: 'normal' | 'reduced') => ({
      atMs,
      requests,
      errors: 0,
      latencyMs: { p50, p99, max: p99 },
      mode,
    })
    const result = {
      target: 'http://127.0.0.1:3000/users',
      modes: [
        { atMs: 0, mode: 'normal', reason: 'start' },
        { atMs: 1200, mode: 'reduced', reason: 'heap at 72% of its limit' },
      ],
      timeline: [point(0, 200, 1.234, 9.876, 'normal'), point(1000, 150, 2, 12, 'reduced')],
    } as unknown as LoadTestResult
    const load: LoadTestReport = { file: 'test/load.test.ts', project: null, test: 'serves users', result }
    expect(loadChart(load)).toEqual({
      title: 'serves users — http://127.0.0.1:3000/users',
      x: [0, 1],
      p50Ms: [1.23, 2],
      p99Ms: [9.88, 12],
      requestsPerSecond: [200, 150],
      modeSwitches: [{ x: 1.2, mode: 'reduced', reason: 'heap at 72% of its limit' }],
    })
  })
})
