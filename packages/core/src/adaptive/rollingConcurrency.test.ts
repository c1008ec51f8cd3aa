import { describe, expect, it } from 'vitest'
import { type RollingConcurrencyOptions, rollingConcurrency } from './rollingConcurrency.js'

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('rollingConcurrency', () => {
  it('resolves to settled results in input order, whatever order the tasks finish in', async () => {
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()]
    const run = rollingConcurrency(
      gates.map((gate) => () => gate.promise),
      { initialConcurrency: 3, maxConcurrency: 3 },
    )
    gates[2]!.resolve('c')
    gates[1]!.reject(new Error('b failed'))
    gates[0]!.resolve('a')
    expect(await run).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: new Error('b failed') },
      { status: 'fulfilled', value: 'c' },
    ])
  })

  it('never starts a task while the work in flight is at the current limit', async () => {
    let limit = 1
    let highestLimit = 1
    let inFlight = 0
    const startedOverLimit: number[] = []
    const tasks = Array.from({ length: 200 }, (_, i) => async () => {
      if (inFlight >= limit) startedOverLimit.push(i)
      inFlight++
      await flush()
      inFlight--
    })
    await rollingConcurrency(tasks, {
      initialConcurrency: 1,
      maxConcurrency: 8,
      sampleSize: 4,
      now: () => 0,
      onLimitChange: (next) => {
        limit = next
        highestLimit = Math.max(highestLimit, next)
      },
    })
    expect(highestLimit).toBe(8)
    expect(startedOverLimit).toEqual([])
  })

  it('takes tasks from the iterable only when a slot is free', async () => {
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()]
    const pulled: number[] = []
    function* tasks(): Generator<() => Promise<number>> {
      for (const [i, gate] of gates.entries()) {
        pulled.push(i)
        yield () => gate.promise
      }
    }
    const run = rollingConcurrency(tasks(), { initialConcurrency: 1, maxConcurrency: 1 })
    expect(pulled).toEqual([0])
    gates[0]!.resolve(0)
    await flush()
    expect(pulled).toEqual([0, 1])
    gates[1]!.resolve(1)
    gates[2]!.resolve(2)
    expect((await run).map((result) => result.status === 'fulfilled' && result.value)).toEqual([0, 1, 2])
  })

  it('stops starting tasks on abort and rejects with the signal reason', async () => {
    const controller = new AbortController()
    const gates = Array.from({ length: 10 }, () => deferred<void>())
    let started = 0
    const run = rollingConcurrency(
      gates.map((gate) => () => {
        started++
        return gate.promise
      }),
      { initialConcurrency: 2, maxConcurrency: 2, signal: controller.signal },
    )
    expect(started).toBe(2)
    controller.abort(new Error('stop'))
    gates[0]!.resolve()
    gates[1]!.resolve()
    await expect(run).rejects.toEqual(new Error('stop'))
    await flush()
    expect(started).toBe(2)
  })

  it('rejects at once when the signal is already aborted, starting nothing', async () => {
    let started = 0
    const run = rollingConcurrency(
      [
        async () => {
          started++
        },
      ],
      { signal: AbortSignal.abort(new Error('already')) },
    )
    await expect(run).rejects.toEqual(new Error('already'))
    expect(started).toBe(0)
  })

  it('lowers the concurrency when tasks fail', async () => {
    const changes: Array<[number, string]> = []
    const tasks = Array.from({ length: 20 }, () => () => Promise.reject(new Error('busy')))
    const results = await rollingConcurrency(tasks, {
      initialConcurrency: 8,
      maxConcurrency: 8,
      now: () => 0,
      onLimitChange: (limit, reason) => changes.push([limit, reason]),
    })
    expect(results.every((result) => result.status === 'rejected')).toBe(true)
    expect(changes[0]).toEqual([5, 'failure'])
  })

  it('counts a task that throws synchronously as a failure', async () => {
    const results = await rollingConcurrency([
      () => {
        throw new Error('sync')
      },
    ])
    expect(results).toEqual([{ status: 'rejected', reason: new Error('sync') }])
  })

  it("reports a bad sampleSize, latencyThreshold or targetLatency under its own name, not AdaptiveLimiter's", () => {
    expect(() => rollingConcurrency([], { sampleSize: 0 })).toThrow(
      new RangeError('rollingConcurrency: sampleSize must be an integer ≥ 1; got 0.'),
    )
    expect(() => rollingConcurrency([], { latencyThreshold: 0.9 })).toThrow(
      new RangeError('rollingConcurrency: latencyThreshold must be a finite ratio ≥ 1; got 0.9.'),
    )
    expect(() => rollingConcurrency([], { targetLatency: '300' as unknown as number })).toThrow(
      new RangeError(
        'rollingConcurrency: targetLatency must be a number > 0 (Infinity or left out for none); got "300".',
      ),
    )
    expect(() => rollingConcurrency([], { maxConcurrency: '8' as unknown as number })).toThrow(
      new RangeError('rollingConcurrency: maxConcurrency must be an integer ≥ minConcurrency (1); got "8".'),
    )
  })

  it('rejects an unknown option, null options, a non-function callback and a non-signal', () => {
    expect(() => rollingConcurrency([], { maxConcurrent: 4 } as RollingConcurrencyOptions)).toThrow(
      new RangeError(
        'rollingConcurrency: unknown option "maxConcurrent" (did you mean "maxConcurrency"?); allowed options: ' +
          'initialConcurrency, minConcurrency, maxConcurrency, targetLatency, latencyThreshold, sampleSize, signal, onLimitChange, now.',
      ),
    )
    expect(() => rollingConcurrency([], null as unknown as RollingConcurrencyOptions)).toThrow(
      new RangeError('rollingConcurrency: options must be an object or undefined; got null.'),
    )
    expect(() => rollingConcurrency([], { onLimitChange: 'log' as unknown as () => void })).toThrow(
      new RangeError('rollingConcurrency: onLimitChange must be a function; got "log".'),
    )
    expect(() => rollingConcurrency([], { signal: {} as AbortSignal })).toThrow(
      new RangeError('rollingConcurrency: signal must be an AbortSignal; got an object.'),
    )
  })

  it('throws a TypeError at once when tasks is not iterable; any iterable works', async () => {
    expect(() => rollingConcurrency(undefined as unknown as [])).toThrow(
      new TypeError(
        'rollingConcurrency: tasks must be an iterable of task functions (an array, a Set, a generator); got undefined.',
      ),
    )
    expect(() => rollingConcurrency({ length: 1 } as unknown as [])).toThrow(/got an object\.$/)
    const results = await rollingConcurrency(new Set([async () => 'a', async () => 'b']))
    expect(results.map((result) => result.status === 'fulfilled' && result.value)).toEqual(['a', 'b'])
  })

  it('rejects bad options with a RangeError naming the option', () => {
    expect(() => rollingConcurrency([], { minConcurrency: 4, maxConcurrency: 2 })).toThrow(
      new RangeError('rollingConcurrency: maxConcurrency must be an integer ≥ minConcurrency (4); got 2.'),
    )
    expect(() => rollingConcurrency([], { initialConcurrency: 0 })).toThrow(
      new RangeError(
        'rollingConcurrency: initialConcurrency must be an integer from minConcurrency (1) to maxConcurrency (32); got 0.',
      ),
    )
  })
})
