import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { historyPath, saveHistory } from '../cache/workerHistory.js'
import type { ScalingSampler } from './resourceSampler.js'
import { FRESH_WORKER_BYTES, WorkerScaling, type WorkerScalingSettings } from './workerScaling.js'

const MB = 1024 ** 2
const MAIN_BYTES = 150 * MB

/** A machine that says what the test wants: idle CPUs, a quiet main thread, a 150 MB main process. */
function fakeSampler(reading: { cpuBusy?: number; mainBusy?: number; totalRssBytes?: number } = {}): ScalingSampler {
  return {
    cpuBusy: () => reading.cpuBusy ?? 0.2,
    mainBusy: () => reading.mainBusy ?? 0.1,
    mainRss: () => MAIN_BYTES,
    processRss: () => 80 * MB,
    runRss: () => ({ totalBytes: reading.totalRssBytes ?? MAIN_BYTES, mainBytes: MAIN_BYTES, gone: [] }),
  }
}

function scalingWith(settings: Partial<WorkerScalingSettings>, history?: Record<string, number>) {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'qtests-scaling-'))
  if (history) {
    const files = Object.fromEntries(
      Object.entries(history).map(([file, peakBytes]) => [`${file}.test.ts`, { durationMs: 1000, peakBytes }]),
    )
    saveHistory(historyPath(reportDir), { version: 1, lastLimit: null, files })
  }
  let clock = 0
  const scaling = new WorkerScaling({
    min: 1,
    max: 4,
    memoryBudgetBytes: 4096 * MB,
    reportDir,
    root: reportDir,
    log: () => {},
    sampler: fakeSampler(),
    now: () => clock,
    cores: 2,
    ...settings,
  })
  const granted: string[] = []
  const controller = new AbortController()
  const ask = (files: string[]) => {
    for (const file of files)
      void scaling.admit(path.join(reportDir, `${file}.test.ts`), false, controller.signal).then(
        () => granted.push(file),
        () => {},
      )
  }
  const stop = () => {
    controller.abort()
    scaling.runEnded()
  }
  return { scaling, granted, ask, advance: (ms: number) => (clock += ms), stop }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('WorkerScaling admission', () => {
  it('counts files admitted a moment ago, whose workers have not started, against the memory budget', async () => {
    // Room for the main process and two files of their known peak, not three.
    const budget = (MAIN_BYTES + 2.5 * FRESH_WORKER_BYTES) / 0.95
    const run = scalingWith(
      { min: 4, memoryBudgetBytes: budget },
      { a: FRESH_WORKER_BYTES, b: FRESH_WORKER_BYTES, c: FRESH_WORKER_BYTES, d: FRESH_WORKER_BYTES },
    )
    run.ask(['a', 'b', 'c', 'd'])
    await settle()
    expect(run.scaling.gate.limit).toBe(4)
    expect(run.granted).toEqual(['a', 'b'])
    run.stop()
  })

  it('starts files nothing has measured one at a time under a tight budget, before any history exists', async () => {
    const run = scalingWith({ memoryBudgetBytes: 400 * MB })
    run.ask(['a', 'b', 'c'])
    await settle()
    expect(run.granted).toEqual(['a'])
    run.stop()
  })

  it('starts them side by side once a file of the run has finished and the budget holds its peak for each', async () => {
    // Tight for a cold run (under 4 fresh workers a CPU), roomy for two files of the peak seen (80 MB, under a fresh worker's 128).
    const run = scalingWith({ memoryBudgetBytes: 500 * MB })
    const file = (name: string) => path.join(run.scaling.settings.root, `${name}.test.ts`)
    const signal = new AbortController().signal
    const first = await run.scaling.admit(file('a'), false, signal)
    run.ask(['b', 'c'])
    await settle()
    expect(run.granted).toEqual([])
    run.scaling.fileStarted(file('a'), { pid: 4242 })
    run.advance(1000)
    run.scaling.fileFinished(file('a'), { crashed: false })
    first()
    await settle()
    expect(run.granted).toEqual(['b', 'c'])
    run.stop()
  })

  it('starts them side by side under a roomy budget', async () => {
    const run = scalingWith({ memoryBudgetBytes: 14 * 1024 * MB })
    run.ask(['a', 'b', 'c'])
    await settle()
    expect(run.granted).toEqual(['a', 'b'])
    run.stop()
  })
})

describe('WorkerScaling limit', () => {
  it("keeps reused workers (isolate: false) at Vitest's default (CPUs - 1) while files wait on I/O", async () => {
    const run = scalingWith({ max: 16 })
    run.scaling.workersKeepModules()
    run.ask(Array.from({ length: 10 }, (_, i) => `f${i}`))
    await settle()
    for (let i = 0; i < 12; i++) {
      run.advance(250)
      run.scaling.tickNow()
    }
    expect(run.scaling.limiter.limit).toBe(1)
    run.stop()
  })

  it('grows past the CPUs for isolated files that wait on I/O', async () => {
    const run = scalingWith({ max: 16 })
    run.ask(Array.from({ length: 10 }, (_, i) => `f${i}`))
    await settle()
    for (let i = 0; i < 12; i++) {
      run.advance(250)
      run.scaling.tickNow()
    }
    expect(run.scaling.limiter.limit).toBeGreaterThan(2)
    run.stop()
  })

  it('holds the limit while the CPUs are saturated, though files wait behind it', async () => {
    const run = scalingWith({ max: 16, sampler: fakeSampler({ cpuBusy: 0.99 }) })
    run.ask(Array.from({ length: 10 }, (_, i) => `f${i}`))
    await settle()
    for (let i = 0; i < 12; i++) {
      run.advance(250)
      run.scaling.tickNow()
    }
    expect(run.scaling.limiter.limit).toBe(2)
    run.stop()
  })

  it('keeps a cold run at the CPUs while files finish and the CPUs are busy but not saturated', async () => {
    // 93% busy: under the hold, over the idle rule; cpu-bound files on 2 CPUs read 90–100% a tick.
    const run = scalingWith({ max: 16, sampler: fakeSampler({ cpuBusy: 0.93 }) })
    const file = (name: string) => path.join(run.scaling.settings.root, `${name}.test.ts`)
    const signal = new AbortController().signal
    for (let round = 0; round < 4; round++) {
      const names = [`a${round}`, `b${round}`]
      const releases = await Promise.all(names.map((name) => run.scaling.admit(file(name), false, signal)))
      for (const name of names) run.scaling.fileStarted(file(name), { pid: 4242 })
      run.advance(250)
      run.scaling.tickNow()
      run.advance(250)
      run.scaling.tickNow()
      for (const name of names) run.scaling.fileFinished(file(name), { crashed: false })
      for (const release of releases) release()
    }
    expect(run.scaling.limiter.limit).toBe(2)
    run.stop()
  })

  it("holds the limit while Vitest's main thread is saturated, though the CPUs idle", async () => {
    const run = scalingWith({ max: 16, sampler: fakeSampler({ mainBusy: 0.9 }) })
    run.ask(Array.from({ length: 10 }, (_, i) => `f${i}`))
    await settle()
    for (let i = 0; i < 12; i++) {
      run.advance(250)
      run.scaling.tickNow()
    }
    expect(run.scaling.limiter.limit).toBe(2)
    run.stop()
  })

  it("cuts the limit to the files running once the run's memory passes 85% of the budget", async () => {
    const reading = { totalRssBytes: MAIN_BYTES }
    const run = scalingWith({ memoryBudgetBytes: 4096 * MB, sampler: fakeSampler(reading) })
    run.ask(['a'])
    await settle()
    run.advance(250)
    run.scaling.tickNow()
    expect(run.scaling.limiter.limit).toBe(2)
    reading.totalRssBytes = 0.9 * 4096 * MB
    run.advance(250)
    run.scaling.tickNow()
    expect(run.scaling.limiter.limit).toBe(1)
    expect(run.scaling.snapshot().peakRssBytes).toBe(0.9 * 4096 * MB)
    run.stop()
  })
})

describe('WorkerScaling for the report', () => {
  it('records each file run with its worker, times and peak, and the worker’s RSS at its start, each tick and its end', async () => {
    const run = scalingWith({})
    run.scaling.runStarted()
    run.advance(100)
    run.scaling.fileStarted(path.join(run.scaling.settings.root, 'a.test.ts'), { pid: 4242 })
    run.advance(250)
    run.scaling.tickNow()
    run.advance(150)
    run.scaling.fileFinished(path.join(run.scaling.settings.root, 'a.test.ts'), { crashed: false })
    const snapshot = run.scaling.snapshot()
    expect(snapshot.fileRuns).toEqual([
      { file: 'a.test.ts', pid: 4242, startMs: 100, endMs: 500, peakBytes: 80 * MB, crashed: false },
    ])
    expect(snapshot.workerMemory).toEqual([
      { pid: 4242, samples: [100, 350, 500].map((t) => ({ t, rssBytes: 80 * MB })) },
    ])
    run.stop()
  })
})

describe('WorkerScaling and thread workers', () => {
  it("samples a thread's heap at its start, each tick and its end, and keeps the highest as the file's peak", async () => {
    const run = scalingWith({})
    const heaps = [12, 30, 20].map((mb) => mb * MB)
    const thread = { threadId: 7, usedBytes: async () => heaps.shift() ?? 0 }
    const file = path.join(run.scaling.settings.root, 'a.test.ts')
    run.scaling.fileStarted(file, { thread })
    await settle()
    run.advance(250)
    run.scaling.tickNow()
    await settle()
    run.advance(100)
    run.scaling.fileFinished(file, { crashed: false, usedMemoryBytes: 21 * MB })
    await settle()
    const snapshot = run.scaling.snapshot()
    expect(snapshot.threadMemory).toEqual([
      { thread: 7, samples: [0, 250, 350].map((t, i) => ({ t, heapBytes: [12, 30, 20][i]! * MB })) },
    ])
    expect(snapshot.fileRuns).toMatchObject([{ file: 'a.test.ts', pid: null, thread: 7, peakBytes: 30 * MB }])
    expect(snapshot.workerMemory).toEqual([])
    run.stop()
  })

  it('asks a thread once at a time, and skips one that ended before it answered', async () => {
    const run = scalingWith({})
    let asked = 0
    const thread = {
      threadId: 8,
      usedBytes: () => {
        asked++
        return Promise.reject(new Error('ERR_WORKER_NOT_RUNNING'))
      },
    }
    let slowAsked = 0
    const slow = {
      threadId: 9,
      usedBytes: () => {
        slowAsked++
        return new Promise<number>(() => {})
      },
    }
    run.scaling.fileStarted(path.join(run.scaling.settings.root, 'a.test.ts'), { thread })
    run.scaling.fileStarted(path.join(run.scaling.settings.root, 'b.test.ts'), { thread: slow })
    await settle()
    run.advance(250)
    run.scaling.tickNow()
    await settle()
    expect([asked, slowAsked]).toEqual([2, 1])
    expect(run.scaling.snapshot().threadMemory).toEqual([])
    run.stop()
  })

  it("says once, with the reason, when this Node cannot read a thread's heap", () => {
    const said: string[] = []
    const run = scalingWith({ log: (message) => said.push(message) })
    const why = "Node 20.20.0 cannot read a thread's heap from outside it"
    for (const name of ['a', 'b'])
      run.scaling.fileStarted(path.join(run.scaling.settings.root, `${name}.test.ts`), { threadHeapUnreadable: why })
    expect(said).toEqual([
      `thread workers' memory is not charted over time: ${why}; files keep the heap Vitest reports at their end (pool 'forks' or a newer Node charts it)`,
    ])
    run.stop()
  })
})

describe('WorkerScaling sampling rate (sampling.*)', () => {
  it("samples less often while Vitest's main thread is busy, and at the full rate again once it idles", async () => {
    const reading = { mainBusy: 0.9 }
    const run = scalingWith({ sampler: fakeSampler(reading) })
    run.scaling.runStarted()
    run.ask(['a', 'b', 'c'])
    await settle()
    expect(run.scaling.samplingIntervalMs).toBe(250)
    const intervals: number[] = []
    for (let i = 0; i < 8; i++) {
      run.advance(run.scaling.samplingIntervalMs)
      run.scaling.tickNow()
      intervals.push(run.scaling.samplingIntervalMs)
    }
    // two busy ticks per step: 100 → 80 → 60 → 40%, and no lower
    expect(intervals).toEqual([250, 312.5, 312.5, 416.7, 416.7, 625, 625, 625].map((ms) => expect.closeTo(ms, 0)))
    reading.mainBusy = 0.1
    for (let i = 0; i < 3; i++) {
      run.advance(run.scaling.samplingIntervalMs)
      run.scaling.tickNow()
    }
    expect(run.scaling.samplingIntervalMs).toBeCloseTo(416.7, 0)
    const sampling = run.scaling.snapshot().sampling
    expect(sampling).toMatchObject({ baseIntervalMs: 250, maxIntervalMs: 625, samples: 11 })
    expect(sampling.rateChanges.map((change) => change.rate)).toEqual(
      [0.8, 0.6, 0.4, 0.6].map((r) => expect.closeTo(r, 5)),
    )
    run.stop()
  })

  it('keeps the bounds it is given, and samples at the shortest interval near the memory budget', async () => {
    const reading = { mainBusy: 0.9, totalRssBytes: MAIN_BYTES }
    const sampling = { baseIntervalMs: 100, minIntervalMs: 50, maxIntervalMs: 200 }
    const run = scalingWith({ sampling, sampler: fakeSampler(reading) })
    run.ask(['a', 'b', 'c'])
    await settle()
    for (let i = 0; i < 10; i++) {
      run.advance(run.scaling.samplingIntervalMs)
      run.scaling.tickNow()
    }
    expect(run.scaling.samplingIntervalMs).toBe(200)
    reading.totalRssBytes = 0.75 * 4096 * MB
    run.advance(200)
    run.scaling.tickNow()
    expect(run.scaling.samplingIntervalMs).toBe(50)
    run.stop()
  })
})
