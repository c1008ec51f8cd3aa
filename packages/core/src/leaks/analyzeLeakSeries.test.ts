import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { analyzeLeakSeries, type LeakVerdict } from './analyzeLeakSeries.js'
import { flat, linear, noisySeries, sawtooth, saturating, START_BYTES, step } from '../../test/leakSeries.js'

const KB = 1024
const MB = 1024 * 1024
const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1)
/** The verdicts real-looking hunt-mode series (25 samples, ±2 KB jitter, 5% outliers) get over 200 seeds. */
function verdictsOver200Seeds(shape: (i: number) => number, options?: Parameters<typeof analyzeLeakSeries>[1]) {
  const counts: Partial<Record<LeakVerdict, number>> = {}
  for (const seed of SEEDS) {
    const { verdict } = analyzeLeakSeries(noisySeries(25, shape, { seed, outlierRate: 0.05 }), options)
    counts[verdict] = (counts[verdict] ?? 0) + 1
  }
  return counts
}

describe('analyzeLeakSeries: steady growth is a leak', () => {
  it.each([
    ['4 KB', 4 * KB],
    ['16 KB', 16 * KB],
    ['64 KB', 64 * KB],
    ['1 MB', 1 * MB],
  ])('flags %s per iteration as leak with the slope within 10 percent, for every seed', (_, bytesPerStep) => {
    for (const seed of SEEDS) {
      const result = analyzeLeakSeries(noisySeries(25, linear(bytesPerStep), { seed, outlierRate: 0.05 }))
      expect({ seed, verdict: result.verdict }).toEqual({ seed, verdict: 'leak' })
      expect(Math.abs(result.bytesPerStep / bytesPerStep - 1)).toBeLessThan(0.1)
      expect(result.confidence).toBeGreaterThan(0.99)
    }
  })

  it('says how much and how sure in one sentence', () => {
    const series = Array.from({ length: 25 }, (_, i) => START_BYTES + 49357 * i)
    expect(analyzeLeakSeries(series).reason).toBe('grew 48.2 KiB per step, rising across all 4 windows (p < 0.001)')
  })

  it('flags measure-mode series: 5 samples at test indexes 0, 3, 6, 9, 12 growing 50 KB per test', () => {
    const x = [0, 3, 6, 9, 12]
    for (const seed of SEEDS.slice(0, 100)) {
      const series = noisySeries(5, (i) => 50 * KB * x[i]!, { seed })
      const result = analyzeLeakSeries(series, { x })
      expect({ seed, verdict: result.verdict }).toEqual({ seed, verdict: 'leak' })
      expect(Math.abs(result.bytesPerStep / (50 * KB) - 1)).toBeLessThan(0.1)
    }
  })

  it('drops an isolated post-GC spike instead of losing a short series to it', () => {
    const series = Array.from({ length: 10 }, (_, i) => START_BYTES + 8 * KB * i)
    series[5] = series[5]! + 400 * KB
    const result = analyzeLeakSeries(series)
    expect(result).toMatchObject({ verdict: 'leak', bytesPerStep: 8 * KB, outlierSamples: 1, samplesUsed: 7 })
  })
})

describe('analyzeLeakSeries: look-alikes are not leaks', () => {
  it('does not flag a bounded cache that fills over the first half and then stays full', () => {
    expect(verdictsOver200Seeds(saturating(16 * KB, 12)).leak).toBeUndefined()
  })

  it('does not flag a bounded cache that fills over two thirds of the series', () => {
    expect(verdictsOver200Seeds(saturating(16 * KB, 16)).leak).toBeUndefined()
  })

  it('does not flag a single 200 KB jump (lazy init) in the middle or near the end', () => {
    expect(verdictsOver200Seeds(step(200 * KB, 12)).leak).toBeUndefined()
    expect(verdictsOver200Seeds(step(200 * KB, 20)).leak).toBeUndefined()
  })

  it('calls a lazy-init jump a burst that settled, not a suspect', () => {
    const series = noisySeries(25, step(200 * KB, 12), { seed: 3 })
    const result = analyzeLeakSeries(series)
    expect(result.verdict).toBe('clean')
    expect(result.growsInEveryWindow).toBe(false)
    expect(result.saturating).toBe(true)
    expect(result.reason).toContain('a burst that settled')
  })

  it('does not flag a GC sawtooth', () => {
    expect(verdictsOver200Seeds(sawtooth(200 * KB, 6)).leak).toBeUndefined()
    expect(verdictsOver200Seeds(sawtooth(300 * KB, 5)).leak).toBeUndefined()
  })

  it('calls noisy flat series clean, with outliers or without', () => {
    expect(verdictsOver200Seeds(flat)).toEqual({ clean: 200 })
    for (const seed of SEEDS) {
      const result = analyzeLeakSeries(noisySeries(25, flat, { seed }))
      expect(result.verdict).toBe('clean')
      expect(result.confidence).toBeGreaterThan(0.975)
    }
  })

  it('calls growth of 300 B per iteration clean under the default 1 KB floor', () => {
    expect(verdictsOver200Seeds(linear(300))).toEqual({ clean: 200 })
  })

  it('subtracts the harness baseline: 1.5 KB per iteration with 1.2 KB of baseline is clean', () => {
    expect(verdictsOver200Seeds(linear(1500), { baselineBytesPerStep: 1200 })).toEqual({ clean: 200 })
    const result = analyzeLeakSeries(noisySeries(25, linear(1500), { seed: 1 }), { baselineBytesPerStep: 1200 })
    expect(Math.abs(result.bytesPerStep - 300)).toBeLessThan(100)
  })

  it('would flag at least 95% of the same 1.5 KB-per-iteration series without the baseline', () => {
    expect(verdictsOver200Seeds(linear(1500)).leak).toBeGreaterThanOrEqual(190)
  })

  it('ignores the warm-up: a JIT ramp in the first samples followed by a flat heap is clean', () => {
    const series = noisySeries(25, (i) => (i < 4 ? i * 300 * KB : 1200 * KB), { seed: 7 })
    expect(analyzeLeakSeries(series)).toMatchObject({ verdict: 'clean', warmupSamples: 5, samplesUsed: 20 })
  })
})

describe('analyzeLeakSeries: when it cannot say', () => {
  it('returns unknown for 2 samples', () => {
    expect(analyzeLeakSeries([1, 2])).toMatchObject({
      verdict: 'unknown',
      samplesUsed: 2,
      confidence: 0,
      reason: 'only 2 sample(s) left after dropping 0 for warm-up; a verdict needs at least 5',
    })
  })

  it('returns unknown when warm-up leaves fewer than minSamples', () => {
    const series = Array.from({ length: 10 }, (_, i) => i * MB)
    expect(analyzeLeakSeries(series, { warmupSamples: 6 }).verdict).toBe('unknown')
    expect(analyzeLeakSeries(series, { warmupSamples: 5 }).verdict).toBe('leak')
  })

  it('returns unknown for a non-finite sample and names it', () => {
    expect(analyzeLeakSeries([1, 2, Number.NaN, 4, 5, 6])).toMatchObject({
      verdict: 'unknown',
      reason: 'sample 2 is NaN, not a finite byte count',
    })
  })

  it('drops about 20% as warm-up from 8 samples on, none below', () => {
    const warmupFor = (n: number) => analyzeLeakSeries(Array.from({ length: n }, () => 0)).warmupSamples
    expect([5, 7, 8, 10, 25, 30].map(warmupFor)).toEqual([0, 0, 1, 2, 5, 6])
  })

  it('rejects positions that do not match the samples, with the values', () => {
    expect(() => analyzeLeakSeries([1, 2, 3], { x: [0, 1] })).toThrow('options.x has 2 positions for 3 samples')
    expect(() => analyzeLeakSeries([1, 2, 3], { x: [0, 2, 2] })).toThrow('x[2] = 2 follows x[1] = 2')
    expect(() => analyzeLeakSeries([1, 2, 3], { noiseFloorBytes: 0 })).toThrow('noiseFloorBytes must be a positive')
  })
})

describe('analyzeLeakSeries: properties', () => {
  it('gives the same verdict and slope when a constant is added to every sample', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 * KB }),
        fc.array(fc.integer({ min: -20 * KB, max: 20 * KB }), { maxLength: 40 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (bytesPerStep, jitter, offset) => {
          const series = jitter.map((j, i) => 2e9 + bytesPerStep * i + j)
          const before = analyzeLeakSeries(series)
          const after = analyzeLeakSeries(series.map((b) => b + offset))
          expect(after.verdict).toBe(before.verdict)
          expect(after.bytesPerStep).toBe(before.bytesPerStep)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('calls any strictly linear series with slope ≥ 2 × floor and n ≥ 10 a leak, at any spacing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 80 }),
        fc.integer({ min: 64, max: 64 * KB }),
        fc.double({ min: 2, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 4e9 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 80, maxLength: 80 }),
        (n, floor, slopeInFloors, startBytes, gaps) => {
          const x: number[] = [0]
          for (let i = 1; i < n; i++) x.push(x[i - 1]! + gaps[i]!)
          const series = x.map((xi) => startBytes + slopeInFloors * floor * xi)
          expect(analyzeLeakSeries(series, { x, noiseFloorBytes: floor }).verdict).toBe('leak')
        },
      ),
      { numRuns: 500 },
    )
  })
})
