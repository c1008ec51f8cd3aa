import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { sampleAfterGc, sampleAfterGcSwept, sampleAfterMinorGc } from './memoryProbe.js'

describe('memory probes', () => {
  // First in the file: the first full sample of this worker process is among those read.
  it("measure's full samples do not rise when nothing was kept between them, a process's first included", () => {
    // What tests leave behind: objects in the young generation and, after the first GC, in the old one.
    const kept: { i: number; s: string }[] = []
    for (let i = 0; i < 20_000; i++) kept.push({ i, s: `kept ${i}` })
    const reads = Array.from({ length: 5 }, () => sampleAfterGcSwept().bytes)
    const rises = reads.slice(1).map((bytes, i) => bytes - reads[i]!)
    // Read after the young GC instead, V8's accounting of the old generation moved by up to ~250 KB a step. A step
    // may fall (a process's first fell by 100–250 KB in some runs, read either way): only a rise reads as a leak.
    expect(Math.max(...rises)).toBeLessThan(32 * 1024)
    expect(kept.length).toBe(20_000)
  })

  it('reach gc without leaving --expose-gc on (V8 would reject the code cache of every built-in module loaded later)', () => {
    // This worker was not started with --expose-gc, so the probes set the flag to fetch gc.
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined')
    const minor = sampleAfterMinorGc()
    const full = sampleAfterGc()
    expect(minor.bytes).toBeGreaterThan(0)
    expect(full.collections).toBeGreaterThanOrEqual(1)
    // A context created while the flag is on gets a gc function: none may have it now.
    expect(vm.runInNewContext('typeof gc')).toBe('undefined')
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined')
  })

  it('reads the old generation after a young GC: a retained array shows up one sample late at most', () => {
    const kept: number[][] = []
    const before = sampleAfterMinorGc().bytes
    for (let i = 0; i < 64; i++) kept.push(new Array(1024).fill(i))
    sampleAfterMinorGc()
    const after = sampleAfterMinorGc().bytes
    // 64 arrays of 1024 small integers: 8 KB of elements each, 512 KB in all
    expect(after - before).toBeGreaterThan(400 * 1024)
    expect(kept.length).toBe(64)
  })

  it("measure's full sample does not count a dropped Buffer, which one full GC alone still counts", () => {
    sampleAfterGc(true) // the process's first full GC, settled, out of the way
    // Bytes read while a 16 MB Buffer is held; it is dropped right after.
    const readWithBuffer = () => {
      const held = [Buffer.alloc(16 * 1024 * 1024, 1)]
      const bytes = sampleAfterGcSwept().bytes
      held.length = 0
      return bytes
    }
    const beforeOne = readWithBuffer()
    const afterOneGc = sampleAfterGc(false).bytes
    // A single full GC leaves the Buffer's memory to a sweeper still running: it is counted yet.
    expect(beforeOne - afterOneGc).toBeLessThan(1024 * 1024)
    const beforeSwept = readWithBuffer()
    const swept = sampleAfterGcSwept()
    expect(beforeSwept - swept.bytes).toBeGreaterThan(8 * 1024 * 1024)
    expect(swept.collections).toBe(1)
  })
})
