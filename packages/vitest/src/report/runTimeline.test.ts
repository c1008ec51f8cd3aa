import { describe, expect, it } from 'vitest'
import { attachFileTimings, thinSamples } from './runTimeline.js'
import type { FileReport } from './schema.js'

function file(name: string, project: string | null = null): FileReport {
  return {
    file: name,
    project,
    verdict: 'clean',
    retainedBytes: 0,
    growthBytesPerTest: null,
    confidence: 1,
    tests: [],
    reason: '',
    state: 'passed',
  }
}

describe('attachFileTimings', () => {
  it('sets start, duration, worker and peak memory from the run of each file', () => {
    const files = [file('test/a.test.ts'), file('test/b.test.ts')]
    attachFileTimings(files, [{ file: 'test/a.test.ts', startMs: 10.4, endMs: 1510.6, pid: 42, peakBytes: 90e6 }])
    expect(files[0]).toMatchObject({ startMs: 10, durationMs: 1500, worker: 42, peakRssBytes: 90e6 })
    expect(files[1]!.startMs).toBeUndefined()
  })

  it('keeps the last run of a file run twice (a crash, then its retry)', () => {
    const files = [file('test/huge.test.ts')]
    attachFileTimings(files, [
      { file: 'test/huge.test.ts', startMs: 0, endMs: 300, pid: 1, peakBytes: 2e9 },
      { file: 'test/huge.test.ts', startMs: 400, endMs: 900, pid: 2, peakBytes: 1e9 },
    ])
    expect(files[0]).toMatchObject({ startMs: 400, durationMs: 500, worker: 2, peakRssBytes: 1e9 })
  })

  it('tells the same file of two projects apart when the runs name their project, and leaves worker and peak unset without them', () => {
    const files = [file('test/a.test.ts', 'node'), file('test/a.test.ts', 'dom')]
    attachFileTimings(files, [
      { file: 'test/a.test.ts', project: 'node', startMs: 0, endMs: 100 },
      { file: 'test/a.test.ts', project: 'dom', startMs: 50, endMs: 250 },
    ])
    expect(files.map((f) => [f.startMs, f.durationMs])).toEqual([
      [0, 100],
      [50, 200],
    ])
    expect('worker' in files[0]!).toBe(false)
    expect('peakRssBytes' in files[0]!).toBe(false)
  })
})

describe('thinSamples', () => {
  it('returns short series as they are', () => {
    expect(thinSamples([1, 2, 3], 5)).toEqual([1, 2, 3])
  })

  it('keeps evenly spaced samples, the first and the last included', () => {
    expect(thinSamples([0, 1, 2, 3, 4, 5, 6, 7, 8], 3)).toEqual([0, 4, 8])
    expect(
      thinSamples(
        Array.from({ length: 1000 }, (_, i) => i),
        600,
      ),
    ).toHaveLength(600)
  })
})
