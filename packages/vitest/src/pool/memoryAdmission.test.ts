import { describe, expect, it } from 'vitest'
import {
  currentHeapMb,
  expectedPeakBytes,
  fitsMemoryBudget,
  heapFlagIn,
  mainHeapArgs,
  retryHeapMb,
  usableMemoryBytes,
  withHeapMb,
} from './memoryAdmission.js'

const MB = 1024 ** 2

describe('fitsMemoryBudget', () => {
  it('counts each running file at the larger of its current RSS and its expected peak', () => {
    const running = [
      { currentBytes: 100 * MB, expectedPeakBytes: 400 * MB },
      { currentBytes: 300 * MB, expectedPeakBytes: 200 * MB },
    ]
    // 400 + 300 + 250 = 950 MB against 1000 MB × 0.95 headroom
    expect(
      fitsMemoryBudget({
        budgetBytes: 1000 * MB,
        measuredTotalBytes: 0,
        baseBytes: 0,
        running,
        candidatePeakBytes: 250 * MB,
      }),
    ).toBe(true)
    expect(
      fitsMemoryBudget({
        budgetBytes: 1000 * MB,
        measuredTotalBytes: 0,
        baseBytes: 0,
        running,
        candidatePeakBytes: 251 * MB,
      }),
    ).toBe(false)
  })

  it('adds the main process, which no file accounts for', () => {
    const running = [{ currentBytes: 100 * MB, expectedPeakBytes: 300 * MB }]
    expect(
      fitsMemoryBudget({
        budgetBytes: 1000 * MB,
        measuredTotalBytes: 0,
        baseBytes: 350 * MB,
        running,
        candidatePeakBytes: 300 * MB,
      }),
    ).toBe(true)
    expect(
      fitsMemoryBudget({
        budgetBytes: 1000 * MB,
        measuredTotalBytes: 0,
        baseBytes: 351 * MB,
        running,
        candidatePeakBytes: 300 * MB,
      }),
    ).toBe(false)
  })

  it('trusts the measured total when it is larger than the per-file sum (threads share one RSS)', () => {
    const running = [{ currentBytes: undefined, expectedPeakBytes: 100 * MB }]
    expect(
      fitsMemoryBudget({
        budgetBytes: 1000 * MB,
        measuredTotalBytes: 850 * MB,
        baseBytes: 0,
        running,
        candidatePeakBytes: 100 * MB,
      }),
    ).toBe(true)
    expect(
      fitsMemoryBudget({
        budgetBytes: 1000 * MB,
        measuredTotalBytes: 851 * MB,
        baseBytes: 0,
        running,
        candidatePeakBytes: 100 * MB,
      }),
    ).toBe(false)
  })
})

describe('expectedPeakBytes', () => {
  it('uses the file history, else the largest peak seen in this run, else a fresh worker', () => {
    expect(expectedPeakBytes(300 * MB, 500 * MB, 128 * MB)).toBe(300 * MB)
    expect(expectedPeakBytes(null, 500 * MB, 128 * MB)).toBe(500 * MB)
    expect(expectedPeakBytes(undefined, 0, 128 * MB)).toBe(128 * MB)
  })
})

describe('retry heap', () => {
  it('doubles the heap the worker had, or V8 default when none was set', () => {
    expect(retryHeapMb(['--conditions', 'node', '--max-old-space-size=96'], 4144)).toBe(192)
    expect(retryHeapMb([], 4144)).toBe(8288)
  })

  it('replaces an existing --max-old-space-size and keeps the other arguments in order', () => {
    expect(withHeapMb(['--a', '--max-old-space-size=96', '--b'], 192)).toEqual([
      '--a',
      '--b',
      '--max-old-space-size=192',
    ])
    expect(currentHeapMb(['--max-old-space-size=64', '--max-old-space-size=80'])).toBe(80)
  })

  it("sees a heap flag of this process, which pins every worker thread's heap", () => {
    expect(heapFlagIn(mainHeapArgs([], undefined))).toBe(false)
    expect(heapFlagIn(mainHeapArgs(['--inspect'], '--conditions=node --enable-source-maps'))).toBe(false)
    expect(heapFlagIn(mainHeapArgs(['--max-old-space-size=512'], undefined))).toBe(true)
    expect(heapFlagIn(mainHeapArgs([], '--enable-source-maps  --max_old_space_size=512'))).toBe(true)
    // Only the flag itself: a longer name that starts the same is another flag.
    expect(heapFlagIn(['--max-old-space-size-percentage=50'])).toBe(false)
    // Node takes the underscore spelling too: the retry reads and replaces it.
    expect(currentHeapMb(mainHeapArgs([], ' --max_old_space_size=160 '))).toBe(160)
    expect(withHeapMb(['--max_old_space_size=160'], 320)).toEqual(['--max-old-space-size=320'])
  })
})

describe('usableMemoryBytes', () => {
  it("is the machine's memory unless a container limit is lower", () => {
    const gb = 1024 ** 3
    expect(usableMemoryBytes(64 * gb, 4 * gb)).toBe(4 * gb)
    expect(usableMemoryBytes(16 * gb, undefined)).toBe(16 * gb)
    expect(usableMemoryBytes(16 * gb, 0)).toBe(16 * gb)
    // cgroup v2 without a limit reports 2^64.
    expect(usableMemoryBytes(16 * gb, 2 ** 64)).toBe(16 * gb)
  })
})
