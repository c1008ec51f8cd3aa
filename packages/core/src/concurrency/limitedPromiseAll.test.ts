import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type LimitedPromiseAllOptions, limitedPromiseAll, limitedPromiseAllSettled } from './limitedPromiseAll.js'

const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Resolves after `ticks` microtask turns: task durations that are deterministic and need no timers. */
async function ticks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await Promise.resolve()
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('limitedPromiseAll', () => {
  it('rejects a limit that is not an integer ≥ 1 or Infinity, naming the value', () => {
    for (const [limit, shown] of [
      [0, '0'],
      [-1, '-1'],
      [2.5, '2.5'],
      [Number.NaN, 'NaN'],
    ] as const) {
      expect(() => limitedPromiseAll([], limit)).toThrow(
        new RangeError(`limitedPromiseAll: limit must be an integer ≥ 1 or Infinity; got ${shown}.`),
      )
    }
    expect(() => limitedPromiseAllSettled([], 0)).toThrow(
      new RangeError('limitedPromiseAllSettled: limit must be an integer ≥ 1 or Infinity; got 0.'),
    )
  })

  it('accepts any iterable of tasks: a Set, a generator', async () => {
    const fromSet = limitedPromiseAll(new Set([() => 'a', async () => 'b', () => 'c']), 2)
    // Settled within one turn of the event loop: before, a Set (no length) started no runner and never settled.
    const settled = await Promise.race([fromSet, flush().then(() => 'still pending')])
    expect(settled).toEqual(['a', 'b', 'c'])
    function* generated() {
      for (let i = 0; i < 4; i++) yield () => ticks(4 - i).then(() => i)
    }
    await expect(limitedPromiseAll(generated(), 2)).resolves.toEqual([0, 1, 2, 3])
    const settledFromSet = limitedPromiseAllSettled(new Set([() => 1, () => Promise.reject(new Error('no'))]), 2)
    expect(await Promise.race([settledFromSet, flush().then(() => 'still pending')])).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('no') },
    ])
  })

  it('rejects with the error of an iterable that throws, starting nothing', async () => {
    let started = 0
    function* broken() {
      yield () => started++
      throw new Error('generator broke')
    }
    await expect(limitedPromiseAll(broken(), 2)).rejects.toThrow('generator broke')
    expect(started).toBe(0)
  })

  it('throws a TypeError at once when tasks is not iterable, and a RangeError for bad options', () => {
    expect(() => limitedPromiseAll(undefined as unknown as [], 2)).toThrow(
      new TypeError(
        'limitedPromiseAll: tasks must be an array or another iterable of task functions (a Set, a generator); got undefined.',
      ),
    )
    expect(() => limitedPromiseAllSettled({ length: 2 } as unknown as [], 2)).toThrow(
      new TypeError(
        'limitedPromiseAllSettled: tasks must be an array or another iterable of task functions (a Set, a generator); got an object.',
      ),
    )
    expect(() => limitedPromiseAll([], '2' as unknown as number)).toThrow(
      new RangeError('limitedPromiseAll: limit must be an integer ≥ 1 or Infinity; got "2".'),
    )
    expect(() => limitedPromiseAll([], 2, { sigal: AbortSignal.abort() } as LimitedPromiseAllOptions)).toThrow(
      new RangeError('limitedPromiseAll: unknown option "sigal" (did you mean "signal"?); allowed options: signal.'),
    )
    expect(() => limitedPromiseAll([], 2, null as unknown as LimitedPromiseAllOptions)).toThrow(
      new RangeError('limitedPromiseAll: options must be an object or undefined; got null.'),
    )
    expect(() => limitedPromiseAllSettled([], 2, { signal: 'stop' as unknown as AbortSignal })).toThrow(
      new RangeError('limitedPromiseAllSettled: signal must be an AbortSignal; got "stop".'),
    )
  })

  it('resolves an empty task list to an empty array', async () => {
    await expect(limitedPromiseAll([], 3)).resolves.toEqual([])
  })

  it('keeps results in task order whatever order the tasks finish in', async () => {
    const tasks = [30, 0, 10, 5, 20].map((delay, i) => () => ticks(delay).then(() => i * 10))
    await expect(limitedPromiseAll(tasks, 2)).resolves.toEqual([0, 10, 20, 30, 40])
  })

  it('runs at most `limit` tasks at once and starts the next as one finishes', async () => {
    const gates = Array.from({ length: 5 }, () => deferred<number>())
    const started: number[] = []
    const result = limitedPromiseAll(
      gates.map((gate, i) => () => {
        started.push(i)
        return gate.promise
      }),
      2,
    )
    expect(started).toEqual([0, 1])
    gates[1]!.resolve(1)
    await flush()
    expect(started).toEqual([0, 1, 2])
    for (const [i, gate] of gates.entries()) gate.resolve(i)
    await expect(result).resolves.toEqual([0, 1, 2, 3, 4])
  })

  it('accepts Infinity as no limit', async () => {
    let running = 0
    let most = 0
    const tasks = Array.from({ length: 50 }, () => async () => {
      most = Math.max(most, ++running)
      await ticks(1)
      running--
    })
    await limitedPromiseAll(tasks, Number.POSITIVE_INFINITY)
    expect(most).toBe(50)
  })

  it('rejects with the first failure and starts no further task', async () => {
    const gates = Array.from({ length: 4 }, () => deferred<number>())
    const started: number[] = []
    const result = limitedPromiseAll(
      gates.map((gate, i) => () => {
        started.push(i)
        return gate.promise
      }),
      2,
    )
    const failure = new Error('task 1 failed')
    gates[1]!.reject(failure)
    await expect(result).rejects.toBe(failure)
    gates[0]!.resolve(0)
    await flush()
    expect(started).toEqual([0, 1])
  })

  it('counts a task that throws synchronously as a failure', async () => {
    const failure = new Error('sync')
    const result = limitedPromiseAll(
      [
        async () => 1,
        () => {
          throw failure
        },
      ],
      1,
    )
    await expect(result).rejects.toBe(failure)
  })

  it('an abort stops starting tasks and rejects with the signal reason', async () => {
    const controller = new AbortController()
    const gates = Array.from({ length: 4 }, () => deferred<number>())
    const started: number[] = []
    const result = limitedPromiseAll(
      gates.map((gate, i) => () => {
        started.push(i)
        return gate.promise
      }),
      2,
      { signal: controller.signal },
    )
    const reason = new Error('stop')
    controller.abort(reason)
    await expect(result).rejects.toBe(reason)
    for (const gate of gates) gate.resolve(0)
    await flush()
    expect(started).toEqual([0, 1])
  })

  it('an already aborted signal starts nothing', async () => {
    let started = 0
    const reason = new Error('before start')
    const result = limitedPromiseAll([async () => started++], 1, { signal: AbortSignal.abort(reason) })
    await expect(result).rejects.toBe(reason)
    expect(started).toBe(0)
  })

  it('never exceeds the limit, keeps order, and starts nothing after the first failure (random durations and failures)', async () => {
    const task = fc.record({ durationTicks: fc.nat({ max: 20 }), fails: fc.boolean() })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(task, { maxLength: 30 }), async (limit, specs) => {
        let running = 0
        let most = 0
        let started = 0
        const tasks = specs.map((spec, i) => async () => {
          started++
          most = Math.max(most, ++running)
          await ticks(spec.durationTicks)
          running--
          if (spec.fails) throw new Error(`task ${i}`)
          return i
        })
        let startedWhenRejected: number | undefined
        const outcome = await limitedPromiseAll(tasks, limit).then(
          (values) => ({ values }),
          (error: Error) => {
            startedWhenRejected = started
            return { error }
          },
        )
        await flush()
        expect(most).toBe(Math.min(limit, specs.length))
        if (specs.some((s) => s.fails)) {
          expect(outcome).toHaveProperty('error')
          expect(started).toBe(startedWhenRejected)
        } else {
          expect(outcome).toEqual({ values: specs.map((_, i) => i) })
          expect(started).toBe(specs.length)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('limitedPromiseAllSettled', () => {
  it('settles every task in order, including ones that throw synchronously', async () => {
    const failure = new Error('async')
    const syncFailure = new Error('sync')
    const results = await limitedPromiseAllSettled(
      [
        async () => 'a',
        () => Promise.reject(failure),
        () => {
          throw syncFailure
        },
        () => 'plain value',
      ],
      2,
    )
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: syncFailure },
      { status: 'fulfilled', value: 'plain value' },
    ])
  })

  it('an abort stops starting tasks and rejects with the signal reason', async () => {
    const controller = new AbortController()
    const started: number[] = []
    const gate = deferred<void>()
    const result = limitedPromiseAllSettled(
      [0, 1, 2].map((i) => () => {
        started.push(i)
        return gate.promise
      }),
      1,
      { signal: controller.signal },
    )
    controller.abort('enough')
    await expect(result).rejects.toBe('enough')
    gate.resolve()
    await flush()
    expect(started).toEqual([0])
  })

  it('never exceeds the limit and reports each task in order (random durations and failures)', async () => {
    const task = fc.record({ durationTicks: fc.nat({ max: 20 }), fails: fc.boolean() })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(task, { maxLength: 30 }), async (limit, specs) => {
        let running = 0
        let most = 0
        const tasks = specs.map((spec, i) => async () => {
          most = Math.max(most, ++running)
          await ticks(spec.durationTicks)
          running--
          if (spec.fails) throw i
          return i
        })
        const results = await limitedPromiseAllSettled(tasks, limit)
        expect(most).toBe(Math.min(limit, specs.length))
        expect(results).toEqual(
          specs.map((spec, i) => (spec.fails ? { status: 'rejected', reason: i } : { status: 'fulfilled', value: i })),
        )
      }),
      { numRuns: 200 },
    )
  })
})
