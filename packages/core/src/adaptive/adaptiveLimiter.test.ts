import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AdaptiveLimiter, type AdaptiveLimiterOptions } from './adaptiveLimiter.js'

/** Feeds `count` samples, each with the latency the service shows at the current limit (work fills the limit). */
function feed(limiter: AdaptiveLimiter, count: number, latencyAt: (limit: number) => number): number[] {
  const limits: number[] = []
  for (let i = 0; i < count; i++) {
    const limit = limiter.limit
    limits.push(limiter.record({ latency: latencyAt(limit), ok: true, inFlight: limit }))
  }
  return limits
}

function timeline(limiter: AdaptiveLimiter): Array<[number, string]> {
  const changes: Array<[number, string]> = []
  limiter.onChange((limit, reason) => changes.push([limit, reason]))
  return changes
}

describe('AdaptiveLimiter', () => {
  it('updates once per window of sampleSize samples or half the limit, whichever is more', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 16, maxLimit: 64, sampleSize: 4 })
    feed(limiter, 7, () => 100)
    expect(limiter.limit).toBe(16)
    feed(limiter, 1, () => 100)
    expect(limiter.limit).toBe(32)
  })

  it('doubles each window while latency stays flat, up to maxLimit', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 2, maxLimit: 20, sampleSize: 4 })
    const changes = timeline(limiter)
    feed(limiter, 40, () => 100)
    expect(changes).toEqual([
      [4, 'slow-start'],
      [8, 'slow-start'],
      [16, 'slow-start'],
      [20, 'slow-start'],
    ])
    expect(limiter.limit).toBe(20)
  })

  it('settles between the knee and the knee plus the queue allowance when latency grows with the limit past it', () => {
    const knee = 10
    const limiter = new AdaptiveLimiter({ initialLimit: 2, maxLimit: 64, sampleSize: 4 })
    const limits = feed(limiter, 400, (limit) => 100 * Math.max(1, limit / knee))
    const settled = limits.slice(100)
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(knee)
    expect(Math.max(...settled)).toBeLessThanOrEqual(knee + Math.ceil(Math.sqrt(knee + 4)))
  })

  it('ends slow start at the first queueing window and drains the queue with the gradient', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 8, maxLimit: 64, sampleSize: 4, smoothing: 1 })
    const changes = timeline(limiter)
    // Knee at 10. The 8 completions of work started before the doubling are not sampled; the next window,
    // at 16 (8 samples: half the limit), shows 1.6× the baseline: 16 × (1 / 1.6) + √16 / 2 = 12.
    feed(limiter, 4 + 8 + 8, (limit) => 100 * Math.max(1, limit / 10))
    expect(changes).toEqual([
      [16, 'slow-start'],
      [12, 'latency'],
    ])
  })

  it('cuts by failureBackoff on a failure, once per round of work in flight', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 20, maxLimit: 20, sampleSize: 100 })
    const changes = timeline(limiter)
    limiter.record({ latency: 100, ok: false, inFlight: 20 })
    expect(limiter.limit).toBe(14)
    for (let i = 0; i < 19; i++) limiter.record({ latency: 100, ok: false, inFlight: 14 })
    expect(limiter.limit).toBe(14)
    limiter.record({ latency: 100, ok: false, inFlight: 14 })
    expect(changes).toEqual([
      [14, 'failure'],
      [9, 'failure'],
    ])
  })

  it('does not grow in a window that had a failure', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 4, maxLimit: 20, sampleSize: 4 })
    feed(limiter, 4, () => 100)
    expect(limiter.limit).toBe(8)
    limiter.record({ latency: 100, ok: false, inFlight: 8 })
    expect(limiter.limit).toBe(5)
    feed(limiter, 3, () => 100)
    expect(limiter.limit).toBe(5)
  })

  it('cuts by targetLatency / p90 when the window p90 exceeds targetLatency, at most halving', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 16, maxLimit: 32, sampleSize: 4, targetLatency: 100 })
    const changes = timeline(limiter)
    // Windows span half the limit: 8 samples at 16, then 6 at 12.
    feed(limiter, 8, () => 125)
    feed(limiter, 6, () => 1000)
    expect(changes).toEqual([
      [12, 'target'],
      [6, 'target'],
    ])
  })

  it('does not grow while the work in flight stays under half the limit', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 16, maxLimit: 32, sampleSize: 4 })
    for (let i = 0; i < 40; i++) limiter.record({ latency: 100, inFlight: 7 })
    expect(limiter.limit).toBe(16)
    for (let i = 0; i < 8; i++) limiter.record({ latency: 100, inFlight: 8 })
    expect(limiter.limit).toBe(32)
  })

  it('reduce() multiplies the limit now, down to minLimit, and reports the reason given', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 16, minLimit: 3, maxLimit: 32 })
    const changes = timeline(limiter)
    expect(limiter.reduce()).toBe(8)
    expect(limiter.reduce(0.75, 'memory')).toBe(6)
    expect(limiter.reduce(0.1, 'memory')).toBe(3)
    expect(changes).toEqual([
      [8, 'reduce'],
      [6, 'memory'],
      [3, 'memory'],
    ])
  })

  it('grow() raises the limit now by at least one, up to maxLimit, and not while growth is held', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 1, maxLimit: 5 })
    const changes = timeline(limiter)
    expect(limiter.grow()).toBe(2)
    expect(limiter.grow(2, 'idle cpu')).toBe(4)
    limiter.holdGrowth(true)
    expect(limiter.grow()).toBe(4)
    limiter.holdGrowth(false)
    expect(limiter.grow(3)).toBe(5)
    expect(changes).toEqual([
      [2, 'grow'],
      [4, 'idle cpu'],
      [5, 'grow'],
    ])
    expect(() => limiter.grow(1)).toThrow('AdaptiveLimiter.grow: factor must be a finite number > 1; got 1.')
  })

  it('holdGrowth(true) blocks increases until released; decreases still apply', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 4, maxLimit: 32, sampleSize: 4 })
    limiter.holdGrowth(true)
    feed(limiter, 40, () => 100)
    expect(limiter.limit).toBe(4)
    expect(limiter.reduce()).toBe(2)
    limiter.holdGrowth(false)
    feed(limiter, 12, () => 100)
    expect(limiter.limit).toBe(3)
  })

  it('setBounds clamps the limit into the new bounds', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 16, maxLimit: 32 })
    const changes = timeline(limiter)
    expect(limiter.setBounds(1, 8)).toBe(8)
    expect(limiter.setBounds(1, 64)).toBe(8)
    expect(limiter.setBounds(10, 64)).toBe(10)
    expect(changes).toEqual([
      [8, 'bounds'],
      [10, 'bounds'],
    ])
  })

  it('moves the baseline 1/baselineWindow per sample towards queue-free windows only', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 4, maxLimit: 4, sampleSize: 4, baselineWindow: 40 })
    feed(limiter, 4, () => 100)
    expect(limiter.baselineLatency).toBe(100)
    feed(limiter, 4, () => 60)
    expect(limiter.baselineLatency).toBe(96)
    feed(limiter, 4, () => 200)
    expect(limiter.baselineLatency).toBe(96)
  })

  it('onChange returns a function that unsubscribes', () => {
    const limiter = new AdaptiveLimiter({ initialLimit: 16, maxLimit: 32 })
    const seen: number[] = []
    const unsubscribe = limiter.onChange((limit) => seen.push(limit))
    limiter.reduce()
    unsubscribe()
    limiter.reduce()
    expect(seen).toEqual([8])
  })

  it.each<[AdaptiveLimiterOptions, string]>([
    [{ maxLimit: 8, minLimit: 0 }, 'AdaptiveLimiter: minLimit must be an integer ≥ 1; got 0.'],
    [{ maxLimit: 2, minLimit: 4 }, 'AdaptiveLimiter: maxLimit must be an integer ≥ minLimit (4); got 2.'],
    [
      { maxLimit: 8, initialLimit: 12 },
      'AdaptiveLimiter: initialLimit must be an integer from minLimit (1) to maxLimit (8); got 12.',
    ],
    [{ maxLimit: 8, sampleSize: 0.5 }, 'AdaptiveLimiter: sampleSize must be an integer ≥ 1; got 0.5.'],
    [{ maxLimit: 8, latencyThreshold: 0.9 }, 'AdaptiveLimiter: latencyThreshold must be a finite ratio ≥ 1; got 0.9.'],
    [
      { maxLimit: 8, targetLatency: 0 },
      'AdaptiveLimiter: targetLatency must be a number > 0 (Infinity or left out for none); got 0.',
    ],
    [{ maxLimit: 8, failureBackoff: 1 }, 'AdaptiveLimiter: failureBackoff must be a number > 0 and < 1; got 1.'],
  ])('rejects bad options with a RangeError naming the option (%o)', (options, message) => {
    expect(() => new AdaptiveLimiter(options)).toThrow(new RangeError(message))
  })

  it.each<[unknown, string]>([
    // '300' > 0 is true in JS: only a typeof check refuses these.
    [
      { maxLimit: 8, targetLatency: '300' },
      'AdaptiveLimiter: targetLatency must be a number > 0 (Infinity or left out for none); got "300".',
    ],
    [{ maxLimit: 8, smoothing: '0.5' }, 'AdaptiveLimiter: smoothing must be a number > 0 and ≤ 1; got "0.5".'],
    [
      { maxLimit: 8, failureBackoff: '0.7' },
      'AdaptiveLimiter: failureBackoff must be a number > 0 and < 1; got "0.7".',
    ],
    [
      { maxLimit: 8, targetLatency: Number.NaN },
      'AdaptiveLimiter: targetLatency must be a number > 0 (Infinity or left out for none); got NaN.',
    ],
    [{ maxLimit: '8' }, 'AdaptiveLimiter: maxLimit must be an integer ≥ minLimit (1); got "8".'],
    [{ maxLimit: 8, queueAllowance: 2 }, 'AdaptiveLimiter: queueAllowance must be a function of the limit; got 2.'],
    [
      { maxLimit: 8, latencyTreshold: 1.5 },
      'AdaptiveLimiter: unknown option "latencyTreshold" (did you mean "latencyThreshold"?); allowed options: initialLimit, ' +
        'minLimit, maxLimit, sampleSize, latencyThreshold, targetLatency, smoothing, failureBackoff, baselineWindow, queueAllowance.',
    ],
    [undefined, 'AdaptiveLimiter: options must be an object with maxLimit; got undefined.'],
  ])('rejects strings for numbers, unknown options and missing options (%o)', (options, message) => {
    expect(() => new AdaptiveLimiter(options as AdaptiveLimiterOptions)).toThrow(new RangeError(message))
  })

  it('rejects strings for numbers in reduce, grow and record', () => {
    const limiter = new AdaptiveLimiter({ maxLimit: 8 })
    expect(() => limiter.reduce('0.5' as unknown as number)).toThrow(
      new RangeError('AdaptiveLimiter.reduce: factor must be a number > 0 and < 1; got "0.5".'),
    )
    expect(() => limiter.grow('2' as unknown as number)).toThrow(
      new RangeError('AdaptiveLimiter.grow: factor must be a finite number > 1; got "2".'),
    )
    expect(() => limiter.record({ latency: '5' as unknown as number, inFlight: 1 })).toThrow(
      new RangeError('AdaptiveLimiter.record: latency must be a finite number ≥ 0; got "5".'),
    )
  })

  it('rejects a sample with a negative latency or a fractional inFlight', () => {
    const limiter = new AdaptiveLimiter({ maxLimit: 8 })
    expect(() => limiter.record({ latency: -1, inFlight: 1 })).toThrow(
      new RangeError('AdaptiveLimiter.record: latency must be a finite number ≥ 0; got -1.'),
    )
    expect(() => limiter.record({ latency: 1, inFlight: 1.5 })).toThrow(
      new RangeError('AdaptiveLimiter.record: inFlight must be an integer ≥ 0; got 1.5.'),
    )
  })

  it('keeps the limit an integer within the bounds for any samples and calls', () => {
    const call = fc.oneof(
      fc.record({
        kind: fc.constant('record' as const),
        latency: fc.double({ min: 0, max: 1e6, noNaN: true }),
        ok: fc.boolean(),
        inFlight: fc.integer({ min: 0, max: 200 }),
      }),
      fc.record({ kind: fc.constant('reduce' as const), factor: fc.double({ min: 0.01, max: 0.99, noNaN: true }) }),
      fc.record({ kind: fc.constant('grow' as const), factor: fc.double({ min: 1.01, max: 10, noNaN: true }) }),
      fc.record({ kind: fc.constant('hold' as const), held: fc.boolean() }),
      fc.record({
        kind: fc.constant('bounds' as const),
        min: fc.integer({ min: 1, max: 20 }),
        extra: fc.integer({ min: 0, max: 50 }),
      }),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { nil: undefined }),
        fc.array(call, { maxLength: 300 }),
        (minLimit, extra, sampleSize, targetLatency, calls) => {
          let min = minLimit
          let max = minLimit + extra
          const limiter = new AdaptiveLimiter({ minLimit, maxLimit: max, sampleSize, targetLatency })
          for (const c of calls) {
            if (c.kind === 'record') limiter.record(c)
            else if (c.kind === 'reduce') limiter.reduce(c.factor)
            else if (c.kind === 'grow') limiter.grow(c.factor)
            else if (c.kind === 'hold') limiter.holdGrowth(c.held)
            else {
              min = c.min
              max = c.min + c.extra
              limiter.setBounds(min, max)
            }
            const limit = limiter.limit
            if (!Number.isInteger(limit) || limit < min || limit > max) return false
          }
          return true
        },
      ),
    )
  })
})
