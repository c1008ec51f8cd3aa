import { describe, expect, it } from 'vitest'
import { vmWorkerMemoryLimit } from './vmMemoryLimit.js'

const GB = 1024 ** 3

describe('vmWorkerMemoryLimit', () => {
  it('is 1 / maxWorkers of the memory when unset', () => {
    expect(vmWorkerMemoryLimit(undefined, 16, 16 * GB)).toBe(GB)
    expect(vmWorkerMemoryLimit(undefined, 0, 8 * GB)).toBe(8 * GB)
  })

  it('reads a number ≤ 1 as a share of memory and a larger one as bytes', () => {
    expect(vmWorkerMemoryLimit(0.25, 4, 8 * GB)).toBe(2 * GB)
    expect(vmWorkerMemoryLimit(1, 4, 8 * GB)).toBe(8 * GB)
    expect(vmWorkerMemoryLimit(300_000_000, 4, 8 * GB)).toBe(300_000_000)
    expect(vmWorkerMemoryLimit('0.5', 4, 8 * GB)).toBe(4 * GB)
  })

  it('reads units in powers of 1000 or 1024, and percentages, in any case', () => {
    expect(vmWorkerMemoryLimit('300MB', 4, 8 * GB)).toBe(300e6)
    expect(vmWorkerMemoryLimit('300m', 4, 8 * GB)).toBe(300e6)
    expect(vmWorkerMemoryLimit('1.5GiB', 4, 8 * GB)).toBe(1.5 * GB)
    expect(vmWorkerMemoryLimit('1KB', 4, 8 * GB)).toBe(1000)
    expect(vmWorkerMemoryLimit('25%', 4, 8 * GB)).toBe(2 * GB)
  })

  it('has no limit for values Vitest could not use', () => {
    expect(vmWorkerMemoryLimit('lots', 4, 8 * GB)).toBeNull()
    expect(vmWorkerMemoryLimit('12 parsecs', 4, 8 * GB)).toBeNull()
    expect(vmWorkerMemoryLimit(0, 4, 8 * GB)).toBeNull()
  })
})
