export interface LimitedPromiseAllOptions {
  /** Aborting stops starting tasks and rejects with the signal's reason; tasks already running are not interrupted. Default: none. */
  signal?: AbortSignal
}

/**
 * Like `Promise.all` over task functions, with at most `limit` tasks running at once. Results keep
 * the tasks' order. The first failure (a rejection or a synchronous throw) rejects the result and no
 * further task starts.
 *
 * @param limit tasks in flight at most: an integer ≥ 1, or `Infinity` for no limit.
 */
export function limitedPromiseAll<T>(
  tasks: ReadonlyArray<() => T | PromiseLike<T>>,
  limit: number,
  options: LimitedPromiseAllOptions = {},
): Promise<T[]> {
  checkLimit('limitedPromiseAll', limit)
  return runPool(tasks, limit, options.signal, false) as Promise<T[]>
}

/**
 * Like `Promise.allSettled` over task functions, with at most `limit` tasks running at once. Every
 * task runs (unless aborted); results keep the tasks' order.
 *
 * @param limit tasks in flight at most: an integer ≥ 1, or `Infinity` for no limit.
 */
export function limitedPromiseAllSettled<T>(
  tasks: ReadonlyArray<() => T | PromiseLike<T>>,
  limit: number,
  options: LimitedPromiseAllOptions = {},
): Promise<PromiseSettledResult<Awaited<T>>[]> {
  checkLimit('limitedPromiseAllSettled', limit)
  return runPool(tasks, limit, options.signal, true) as Promise<PromiseSettledResult<Awaited<T>>[]>
}

// A fixed pool of runner loops that each take the next index: no promise or queue entry exists for a
// task until it starts, which keeps the cost per task near that of a plain Promise.all.
function runPool<T>(
  tasks: ReadonlyArray<() => T | PromiseLike<T>>,
  limit: number,
  signal: AbortSignal | undefined,
  settle: boolean,
): Promise<unknown[]> {
  if (signal?.aborted) return Promise.reject(signal.reason)
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

function checkLimit(caller: string, limit: number): void {
  if (typeof limit === 'number' && (limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 1))) return
  throw new RangeError(
    `${caller}: limit must be an integer ≥ 1 or Infinity; got ${typeof limit === 'string' ? JSON.stringify(limit) : String(limit)}.`,
  )
}
