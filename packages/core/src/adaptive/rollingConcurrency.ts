import { checkKnownKeys, checkOptionsObject, checkSignal, isIterable, showValue } from '../validate/options.js'
import {
  AdaptiveLimiter,
  type AdaptiveLimiterOptions,
  type LimitListener,
  resolveLimiterOptions,
} from './adaptiveLimiter.js'

export interface RollingConcurrencyOptions {
  /** Tasks started at once before any sample, integer. Default `minConcurrency`; slow start grows it. */
  initialConcurrency?: number
  /** Smallest concurrency, an integer ≥ 1. Default 1. */
  minConcurrency?: number
  /** Largest concurrency. Default 32: the cap that protects a service whose latency never rises. */
  maxConcurrency?: number
  /** Latency in ms the 90th percentile of each window should stay under. Default: none. */
  targetLatency?: number
  /** Rise of the window's mean latency over the baseline (ratio ≥ 1) that counts as queueing. Default 1.2 (AdaptiveLimiter's). */
  latencyThreshold?: number
  /** Completed tasks per limiter update. Default 8. */
  sampleSize?: number
  /** Stops starting tasks; the returned promise then rejects with `signal.reason`. */
  signal?: AbortSignal
  /** Called after each change of the concurrency with the new value and why (a timeline, a log). */
  onLimitChange?: LimitListener
  /** Clock in ms. Default `performance.now`; a simulation passes its virtual clock. */
  now?: () => number
}

const NAMES = { min: 'minConcurrency', initial: 'initialConcurrency', max: 'maxConcurrency' }

// A record, not a list, so adding an option to the interface without allowing it here fails to compile.
const OPTION_KEYS: Record<keyof RollingConcurrencyOptions, true> = {
  initialConcurrency: true,
  minConcurrency: true,
  maxConcurrency: true,
  targetLatency: true,
  latencyThreshold: true,
  sampleSize: true,
  signal: true,
  onLimitChange: true,
  now: true,
}
const OPTION_NAMES = Object.keys(OPTION_KEYS)

/**
 * Runs the tasks with a concurrency that an AdaptiveLimiter adjusts from each task's latency and success,
 * and resolves to their settled results in input order (like `Promise.allSettled`): a failing task is a
 * signal to slow down, not a reason to abandon the others. Tasks are taken from the iterable lazily, one
 * per free slot, so a generator may decide when to stop. Rejects only when `signal` aborts (with its
 * reason; tasks already started keep running) or when the iterable throws. Bad arguments throw at once:
 * a TypeError when `tasks` is not iterable, a RangeError naming a bad or unknown option.
 */
export function rollingConcurrency<T>(
  tasks: Iterable<() => Promise<T>>,
  options: RollingConcurrencyOptions = {},
): Promise<PromiseSettledResult<T>[]> {
  if (!isIterable(tasks)) {
    throw new TypeError(
      `rollingConcurrency: tasks must be an iterable of task functions (an array, a Set, a generator); got ${showValue(tasks)}.`,
    )
  }
  checkOptionsObject('rollingConcurrency', options)
  checkKnownKeys('rollingConcurrency', options, OPTION_NAMES)
  const min = options.minConcurrency ?? 1
  const limiterOptions: AdaptiveLimiterOptions = {
    initialLimit: options.initialConcurrency ?? min,
    minLimit: min,
    maxLimit: options.maxConcurrency ?? 32,
    targetLatency: options.targetLatency,
    latencyThreshold: options.latencyThreshold,
    sampleSize: options.sampleSize,
  }
  // Checked here under our own name first: the limiter would blame "AdaptiveLimiter" and its maxLimit.
  resolveLimiterOptions('rollingConcurrency', limiterOptions, NAMES)
  checkFunction('onLimitChange', options.onLimitChange)
  checkFunction('now', options.now)
  checkSignal('rollingConcurrency', options.signal)
  const limiter = new AdaptiveLimiter(limiterOptions)
  if (options.onLimitChange) limiter.onChange(options.onLimitChange)
  const now = options.now ?? (() => performance.now())
  const { signal } = options

  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const results: PromiseSettledResult<T>[] = []
    const iterator = tasks[Symbol.iterator]()
    let inFlight = 0
    let started = 0
    let exhausted = false
    let over = false

    const stop = (): void => {
      over = true
      if (!exhausted) iterator.return?.()
      signal?.removeEventListener('abort', onAbort)
    }
    const onAbort = (): void => {
      stop()
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })

    const complete = (index: number, startedMs: number, result: PromiseSettledResult<T>): void => {
      if (over) return
      results[index] = result
      limiter.record({ latency: Math.max(0, now() - startedMs), ok: result.status === 'fulfilled', inFlight })
      inFlight--
      fill()
    }

    const fill = (): void => {
      while (!exhausted && inFlight < limiter.limit) {
        let step: IteratorResult<() => Promise<T>>
        try {
          step = iterator.next()
        } catch (error) {
          stop()
          reject(error)
          return
        }
        if (step.done) {
          exhausted = true
          break
        }
        const index = started++
        const task = step.value
        inFlight++
        const startedMs = now()
        let promise: Promise<T>
        try {
          promise = Promise.resolve(task())
        } catch (error) {
          promise = Promise.reject(error)
        }
        promise.then(
          (value) => complete(index, startedMs, { status: 'fulfilled', value }),
          (reason: unknown) => complete(index, startedMs, { status: 'rejected', reason }),
        )
      }
      if (exhausted && inFlight === 0) {
        stop()
        resolve(results)
      }
    }
    fill()
  })
}

function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new RangeError(`rollingConcurrency: ${name} must be a function; got ${showValue(value)}.`)
  }
}
