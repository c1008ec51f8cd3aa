import { checkKnownKeys, checkOptionsObject, checkSignal, isIterable, showValue } from '../validate/options.js'

export interface LimitedPromiseAllOptions {
  /** Aborting stops starting tasks and rejects with the signal's reason; tasks already running are not interrupted. Default: none. */
  signal?: AbortSignal
}

// A record, not a list, so adding an option to the interface without allowing it here fails to compile.
const OPTION_KEYS: Record<keyof LimitedPromiseAllOptions, true> = { signal: true }
const OPTION_NAMES = Object.keys(OPTION_KEYS)

/**
 * Like `Promise.all` over task functions, with at most `limit` tasks running at once. Results keep
 * the tasks' order. The first failure (a rejection or a synchronous throw) rejects the result and no
 * further task starts.
 *
 * @param tasks an array or any other iterable (a Set, a generator) of functions; read in full at once,
 *   which starts nothing, as each task starts only when the pool calls it.
 * @param limit tasks in flight at most: an integer ≥ 1, or `Infinity` for no limit.
 */
export function limitedPromiseAll<T>(
  tasks: Iterable<() => T | PromiseLike<T>>,
  limit: number,
  options: LimitedPromiseAllOptions = {},
): Promise<T[]> {
  const signal = checkArguments('limitedPromiseAll', tasks, limit, options)
  return runPool(tasks, limit, signal, false) as Promise<T[]>
}

/**
 * Like `Promise.allSettled` over task functions, with at most `limit` tasks running at once. Every
 * task runs (unless aborted); results keep the tasks' order.
 *
 * @param tasks an array or any other iterable (a Set, a generator) of functions, read in full at once.
 * @param limit tasks in flight at most: an integer ≥ 1, or `Infinity` for no limit.
 */
export function limitedPromiseAllSettled<T>(
  tasks: Iterable<() => T | PromiseLike<T>>,
  limit: number,
  options: LimitedPromiseAllOptions = {},
): Promise<PromiseSettledResult<Awaited<T>>[]> {
  const signal = checkArguments('limitedPromiseAllSettled', tasks, limit, options)
  return runPool(tasks, limit, signal, true) as Promise<PromiseSettledResult<Awaited<T>>[]>
}

// A fixed pool of runner loops that each take the next index: no promise or queue entry exists for a
// task until it starts, which keeps the cost per task near that of a plain Promise.all.
function runPool<T>(
  iterable: Iterable<() => T | PromiseLike<T>>,
  limit: number,
  signal: AbortSignal | undefined,
  settle: boolean,
): Promise<unknown[]> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  // The pool indexes tasks and needs their count up front: without a length (a Set's is `size`) it
  // started no runner and never settled. An iterable that throws rejects, as a failing task would.
  let tasks: ReadonlyArray<() => T | PromiseLike<T>>
  try {
    tasks = Array.isArray(iterable) ? iterable : Array.from(iterable)
  } catch (error) {
    return Promise.reject(error)
  }
  const count = tasks.length
  const results: unknown[] = new Array(count)
  if (count === 0) return Promise.resolve(results)

  return new Promise((resolve, reject) => {
    let next = 0
    let stopped = false
    let runners = Math.min(limit, count)

    const onAbort = () => stop(signal!.reason)
    const stop = (reason: unknown) => {
      if (stopped) return
      stopped = true
      signal?.removeEventListener('abort', onAbort)
      reject(reason)
    }
    const runnerDone = () => {
      if (--runners > 0 || stopped) return
      stopped = true
      signal?.removeEventListener('abort', onAbort)
      resolve(results)
    }

    const runAll = async () => {
      while (!stopped && next < count) {
        const index = next++
        try {
          results[index] = await tasks[index]!()
        } catch (error) {
          stop(error)
          return
        }
      }
    }
    const runAllSettled = async () => {
      while (!stopped && next < count) {
        const index = next++
        try {
          results[index] = { status: 'fulfilled', value: await tasks[index]!() }
        } catch (reason) {
          results[index] = { status: 'rejected', reason }
        }
      }
    }

    signal?.addEventListener('abort', onAbort, { once: true })
    const runner = settle ? runAllSettled : runAll
    for (let i = runners; i > 0; i--) runner().then(runnerDone)
  })
}

/** Throws at once for a bad argument (nothing has started yet); returns the signal. */
function checkArguments(
  caller: string,
  tasks: unknown,
  limit: number,
  options: LimitedPromiseAllOptions,
): AbortSignal | undefined {
  if (!isIterable(tasks)) {
    throw new TypeError(
      `${caller}: tasks must be an array or another iterable of task functions (a Set, a generator); got ${showValue(tasks)}.`,
    )
  }
  if (typeof limit !== 'number' || !(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 1))) {
    throw new RangeError(`${caller}: limit must be an integer ≥ 1 or Infinity; got ${showValue(limit)}.`)
  }
  checkOptionsObject(caller, options)
  checkKnownKeys(caller, options, OPTION_NAMES)
  checkSignal(caller, options.signal)
  return options.signal
}
