import { describe, expect, it } from 'vitest'
import { MemoryModeController } from './memoryModes.js'

const MB = 1024 * 1024
const at = (share: number) => ({ usedBytes: Math.round(share * 100 * MB), limitBytes: 100 * MB })

describe('MemoryModeController', () => {
  it('steps down at once: reduced at 70% of the limit, minimal at 85%, each switch with its time and figures', () => {
    const modes = new MemoryModeController()
    expect(modes.update(50, at(0.5))).toEqual({ mode: 'normal', changed: false, stop: false })
    expect(modes.update(100, at(0.72))).toEqual({ mode: 'reduced', changed: true, stop: false })
    expect(modes.update(150, at(0.8))).toEqual({ mode: 'reduced', changed: false, stop: false })
    expect(modes.update(200, at(0.86))).toEqual({ mode: 'minimal', changed: true, stop: false })
    expect(modes.switches).toEqual([
      { atMs: 0, mode: 'normal', reason: 'start' },
      { atMs: 100, mode: 'reduced', reason: 'heap 72% of its limit (72.0 MiB of 100.0 MiB), at or above 70%' },
      { atMs: 200, mode: 'minimal', reason: 'heap 86% of its limit (86.0 MiB of 100.0 MiB), at or above 85%' },
    ])
  })

  it('jumps from normal straight to minimal when the heap is already at 85%', () => {
    const modes = new MemoryModeController()
    expect(modes.update(10, at(0.9)).mode).toBe('minimal')
    expect(modes.switches.map((entry) => entry.mode)).toEqual(['normal', 'minimal'])
  })

  it('steps back up one mode at a time, only after the heap stayed under the lower threshold for the dwell time', () => {
    const modes = new MemoryModeController({ dwellMs: 1000 })
    modes.update(0, at(0.9))
    // Under 70% (minimal → reduced) for 1 s; a reading at 75% in between restarts the wait.
    expect(modes.update(100, at(0.6)).mode).toBe('minimal')
    expect(modes.update(600, at(0.75)).mode).toBe('minimal')
    expect(modes.update(700, at(0.6)).mode).toBe('minimal')
    expect(modes.update(1600, at(0.6)).mode).toBe('minimal')
    expect(modes.update(1700, at(0.6))).toEqual({ mode: 'reduced', changed: true, stop: false })
    // 60% is under 70% but not under 55%: reduced holds however long it lasts.
    expect(modes.update(5000, at(0.6)).mode).toBe('reduced')
    expect(modes.update(5100, at(0.5)).mode).toBe('reduced')
    expect(modes.update(6100, at(0.5)).mode).toBe('normal')
    expect(modes.switches.slice(-2)).toEqual([
      { atMs: 1700, mode: 'reduced', reason: 'heap under 70% of its limit for 1 s (60.0 MiB of 100.0 MiB now)' },
      { atMs: 6100, mode: 'normal', reason: 'heap under 55% of its limit for 1 s (50.0 MiB of 100.0 MiB now)' },
    ])
  })

  it('asks to stop after three readings in a row at 95% or more, not after one or two', () => {
    const modes = new MemoryModeController()
    expect(modes.update(0, at(0.96)).stop).toBe(false)
    expect(modes.update(50, at(0.96)).stop).toBe(false)
    expect(modes.update(100, at(0.9)).stop).toBe(false)
    expect(modes.update(150, at(0.97)).stop).toBe(false)
    expect(modes.update(200, at(0.97)).stop).toBe(false)
    expect(modes.update(250, at(0.99))).toEqual({ mode: 'minimal', changed: false, stop: true })
  })
})
