import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RateLimiterStoppedError } from './errors.js'
import type { RateLimiterOptions } from './options.js'
import { RateLimiter } from './RateLimiter.js'
import { maxStartsInWindow, promisedMaxStarts } from '../../test/windowStarts.js'
import { windowRule } from './window.js'

const now = () => Date.now()

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(0)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('RateLimiter options', () => {
  it.each([
    [{ limit: 0, intervalMs: 1000 }, 'RateLimiter: limit must be a positive integer; got 0.'],
    [{ limit: 2.5, intervalMs: 1000 }, 'RateLimiter: limit must be a positive integer; got 2.5.'],
    [{ limit: 1, intervalMs: -5 }, 'RateLimiter: intervalMs must be a positive finite number; got -5.'],
    [{ limit: 1, intervalMs: 1000, burst: -1 }, 'RateLimiter: burst must be a non-negative integer; got -1.'],
    [{ limit: 1, intervalMs: 1000, maxConcurrent: 0 }, 'RateLimiter: maxConcurrent must be a positive integer; got 0.'],
    [
      { limit: 1, intervalMs: 1000, keyLimits: { a: 0 } },
      'RateLimiter: keyLimits["a"] must be a positive integer; got 0.',
    ],
    [
      { limit: 1, intervalMs: 1000, predict: { smoothing: 2 } },
      'RateLimiter: predict.smoothing must be a number in (0, 1]; got 2.',
    ],
    [
      { limit: 1, intervalMs: 1000, redis: { url: 'localhost:6379' } },
      'RateLimiter: redis.url must be a redis:// or rediss:// URL; got "localhost:6379".',
    ],
    [
      { limit: 1, intervalMs: 1000, redis: {} },
      'RateLimiter: redis must have exactly one of { client } or { url }; got neither.',
    ],
  ])('rejects %j with one RangeError naming the option, value and what is allowed', (options, message) => {
    expect(() => new RateLimiter(options)).toThrow(new RangeError(message))
  })

  it.each<[unknown, string]>([
    [
      { limit: 1, intervalMs: 1000, maxConcurent: 2 },
      'RateLimiter: unknown option "maxConcurent" (did you mean "maxConcurrent"?); allowed options: limit, intervalMs, maxConcurrent, burst, redis, keyLimits, predict, now.',
    ],
    [
      { limit: 1, intervalMs: 1000, redis: { url: 'redis://127.0.0.1:6379', leasMs: 10 } },
      'RateLimiter: unknown option "redis.leasMs" (did you mean "redis.leaseMs"?); allowed options of redis: client, url, prefix, leaseMs, batch, unavailableTimeoutMs.',
    ],
    [
      { limit: 1, intervalMs: 1000, predict: { smothing: 0.3 } },
      'RateLimiter: unknown option "predict.smothing" (did you mean "predict.smoothing"?); allowed options of predict: smoothing.',
    ],
    [{ limit: 1, intervalMs: 1000, redis: null }, 'RateLimiter: redis must be an object or undefined; got null.'],
    [
      { limit: 1, intervalMs: 1000, keyLimits: [3] },
      'RateLimiter: keyLimits must be an object of { [key]: limit }; got an array.',
    ],
    [{ limit: '10', intervalMs: 1000 }, 'RateLimiter: limit must be a positive integer; got "10".'],
    [{ limit: 1, intervalMs: '1000' }, 'RateLimiter: intervalMs must be a positive finite number; got "1000".'],
    [null, 'RateLimiter: options must be an object with limit and intervalMs; got null.'],
  ])('rejects unknown (misspelt) options, non-objects and strings for numbers: %j', (options, message) => {
    expect(() => new RateLimiter(options as RateLimiterOptions)).toThrow(new RangeError(message))
  })
})

describe('RateLimiter (local)', () => {
  it('runs jobs under the limit synchronously and returns the promise fn returned', () => {
    const limiter = new RateLimiter({ limit: 2, intervalMs: 1000, now })
    const own = Promise.resolve('x')
    const returned = limiter.schedule(() => own)
    expect(returned).toBe(own)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('holds the job over the limit until the oldest start leaves the window', async () => {
    const limiter = new RateLimiter({ limit: 2, intervalMs: 1000, now })
    const starts: number[] = []
    const jobs = [0, 1, 2, 3, 4].map((i) => limiter.schedule(async () => starts.push(Date.now()) && i))
    expect(starts).toEqual([0, 0])
    expect(limiter.stats()).toMatchObject({ started: 2, waiting: 3 })
    await vi.advanceTimersByTimeAsync(999)
    expect(starts).toEqual([0, 0])
    await vi.advanceTimersByTimeAsync(1)
    expect(starts).toEqual([0, 0, 1000, 1000])
    await vi.runAllTimersAsync()
    expect(starts).toEqual([0, 0, 1000, 1000, 2000])
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4])
  })

  it('limits each key on its own, with keyLimits overriding limit', async () => {
    const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, keyLimits: { vip: 3 }, now })
    const started: string[] = []
    for (const key of ['a', 'a', 'b', 'vip', 'vip', 'vip', 'vip']) limiter.schedule(key, async () => started.push(key))
    expect(started).toEqual(['a', 'b', 'vip', 'vip', 'vip'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toEqual(['a', 'b', 'vip', 'vip', 'vip', 'a', 'vip'])
  })

  it('never runs more than maxConcurrent jobs at once, starting the next when one settles', async () => {
    const limiter = new RateLimiter({ limit: 100, intervalMs: 1000, maxConcurrent: 2, now })
    const finish: Array<() => void> = []
    const started: number[] = []
    for (let i = 0; i < 4; i++) {
      limiter.schedule(
        () =>
          new Promise<void>((resolve) => {
            started.push(i)
            finish.push(resolve)
          }),
      )
    }
    expect(started).toEqual([0, 1])
    expect(limiter.stats()).toMatchObject({ running: 2, waiting: 2 })
    finish[1]!()
    await Promise.resolve()
    await Promise.resolve()
    expect(started).toEqual([0, 1, 2])
    expect(limiter.stats()).toMatchObject({ running: 2, waiting: 1 })
  })

  it('frees the slot when fn throws synchronously, and rejects with that error', async () => {
    const limiter = new RateLimiter({ limit: 100, intervalMs: 1000, maxConcurrent: 1, now })
    const boom = new Error('boom')
    await expect(
      limiter.schedule(() => {
        throw boom
      }),
    ).rejects.toBe(boom)
    await expect(limiter.schedule(async () => 'next')).resolves.toBe('next')
  })

  it('cancels a waiting job through its AbortSignal: it rejects with the reason and never runs', async () => {
    const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, now })
    const ran: string[] = []
    limiter.schedule(async () => ran.push('first'))
    const controller = new AbortController()
    const cancelled = limiter.schedule('', async () => ran.push('cancelled'), { signal: controller.signal })
    const kept = limiter.schedule(async () => ran.push('kept'))
    controller.abort(new Error('user left'))
    await expect(cancelled).rejects.toThrow('user left')
    await vi.runAllTimersAsync()
    await kept
    expect(ran).toEqual(['first', 'kept'])
    expect(limiter.stats()).toMatchObject({ cancelled: 1, started: 2, waiting: 0 })
  })

  it('rejects a job whose signal is already aborted without running it', async () => {
    const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, now })
    const fn = vi.fn()
    await expect(limiter.schedule(fn, { signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late')
    expect(fn).not.toHaveBeenCalled()
  })

  it('stop() rejects waiting jobs and refuses new ones with RateLimiterStoppedError', async () => {
    const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, now })
    const first = limiter.schedule(async () => 'ran')
    const waiting = limiter.schedule(async () => 'never')
    limiter.stop()
    await expect(first).resolves.toBe('ran')
    await expect(waiting).rejects.toBeInstanceOf(RateLimiterStoppedError)
    await expect(limiter.schedule(async () => 'never')).rejects.toBeInstanceOf(RateLimiterStoppedError)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('RateLimiter prediction', () => {
  // 15 calls arrive at once at the start of every second, against limit 10 per 1000 ms.
  async function startsOfSteadyOverload(predict: boolean): Promise<number[]> {
    vi.setSystemTime(0)
    const limiter = new RateLimiter({ limit: 10, intervalMs: 1000, predict, now })
    const starts: number[] = []
    for (let i = 0; i < 45; i++) {
      setTimeout(() => limiter.schedule(async () => starts.push(Date.now())), Math.floor(i / 15) * 1000)
    }
    await vi.runAllTimersAsync()
    return starts.filter((t) => t >= 2000 && t < 3000)
  }

  it('spaces starts intervalMs / limit apart once predicted demand exceeds the limit, instead of a burst then a stall', async () => {
    // Without prediction: the backlog starts in one burst when the window frees up, then nothing for a second.
    expect(await startsOfSteadyOverload(false)).toEqual(Array(10).fill(2000))
    // With prediction the same 10 starts of that window are spread out evenly.
    expect(await startsOfSteadyOverload(true)).toEqual([2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900])
  })

  it('reports the paced key in stats()', () => {
    const limiter = new RateLimiter({ limit: 2, intervalMs: 1000, predict: true, now })
    for (let i = 0; i < 5; i++) limiter.schedule('hot', async () => {})
    limiter.schedule('cold', async () => {})
    expect(limiter.stats().pacedKeys).toBe(1)
  })
})

describe('RateLimiter window property (fake clock)', () => {
  it('never starts more than promised in any window, and starts every job exactly once in order per key', async () => {
    const arrival = fc.record({
      atMs: fc.integer({ min: 0, max: 3000 }),
      key: fc.constantFrom('a', 'b'),
      holdMs: fc.nat(300),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 100, max: 1000 }),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        fc.boolean(),
        fc.array(arrival, { maxLength: 60 }),
        async (limit, burst, intervalMs, maxConcurrent, predict, arrivals) => {
          vi.setSystemTime(0)
          const limiter = new RateLimiter({ limit, burst, intervalMs, maxConcurrent, predict, now })
          const starts: Record<string, number[]> = { a: [], b: [] }
          // Per key: the order schedule() was called in, and the order the jobs started in.
          const scheduled: Record<string, number[]> = { a: [], b: [] }
          const order: Record<string, number[]> = { a: [], b: [] }
          let running = 0
          let mostRunning = 0
          const done: Promise<unknown>[] = []
          arrivals.forEach(({ atMs, key, holdMs }, i) => {
            setTimeout(() => {
              scheduled[key]!.push(i)
              const job = limiter.schedule(key, async () => {
                starts[key]!.push(Date.now())
                order[key]!.push(i)
                mostRunning = Math.max(mostRunning, ++running)
                await new Promise((resolve) => setTimeout(resolve, holdMs))
                running--
              })
              done.push(job)
            }, atMs)
          })
          await vi.runAllTimersAsync()
          await Promise.all(done)
          const rule = windowRule(limit, burst, intervalMs)
          for (const key of ['a', 'b']) {
            // README: "Jobs of one key start in the order they were scheduled" — compared as is, not sorted.
            expect(order[key]).toEqual(scheduled[key])
            expect(scheduled[key]!.length).toBe(arrivals.filter((a) => a.key === key).length)
            for (const n of [1, 2, 3]) {
              expect(maxStartsInWindow(starts[key]!, n * intervalMs)).toBeLessThanOrEqual(
                promisedMaxStarts(rule, intervalMs, n * intervalMs),
              )
            }
          }
          if (maxConcurrent !== undefined) expect(mostRunning).toBeLessThanOrEqual(maxConcurrent)
          expect(limiter.stats()).toMatchObject({ started: arrivals.length, waiting: 0 })
        },
      ),
      { numRuns: 150 },
    )
  })
})
