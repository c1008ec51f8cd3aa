import { checkKnownKeys, checkOptionsObject, showValue } from '../validate/options.js'
import { BrokenCircuitError, CallTimeoutError } from './errors.js'

export type CircuitState = 'closed' | 'open' | 'halfOpen'

export interface CircuitBreakerOptions<F = never> {
  /** Failure rate, 0..1, over the window at which the breaker opens. Default 0.5: half the calls failing is an outage, not noise. */
  failureThreshold?: number
  /** Calls (successes + failures) the window must hold before the rate can open the breaker. Default 10: two early errors are not a 100% failure rate. */
  volumeThreshold?: number
  /** Length of the rolling window the rate is computed over, ms. Default 10_000: long enough for a rate, short enough to forget a past outage. */
  windowMs?: number
  /** Counters the window is split into; the window slides by windowMs / buckets. Default 10 (1 s steps with the default window). */
  buckets?: number
  /** Time the breaker stays open before it lets one trial call through, ms. Default 10_000: gives the dependency time to recover before it is probed. */
  halfOpenAfterMs?: number
  /**
   * A call not settled after this long fails with `CallTimeoutError`, ms; 0 turns it off. Default 0: only the
   * caller knows a sensible bound, and the timer costs time per call. Without it, a trial call that never
   * settles keeps the breaker half-open.
   */
  timeoutMs?: number
  /** Which errors count as failures. Default: every error. Others are rethrown unchanged and count as successes (the dependency did answer). */
  isFailure?: (error: unknown) => boolean
  /** Result used instead of an error when the breaker refuses a call or the call fails; receives that error. Default: none, the error is thrown. */
  fallback?: (error: unknown) => F | PromiseLike<F>
  /** Clock in ms, injectable for tests. Default `performance.now` (monotonic, unlike Date.now). */
  now?: () => number
}

/** Counts over the current rolling window. */
export interface CircuitBreakerStats {
  state: CircuitState
  successes: number
  /** Calls that failed, timeouts included. */
  failures: number
  timeouts: number
  /** Calls refused without running because the breaker was open or half-open. */
  rejects: number
  /** successes + failures: the calls that reached the dependency. */
  calls: number
  /** failures / calls; 0 when there were no calls. */
  failureRate: number
  windowMs: number
}

/** Listener arguments of each event. */
export interface CircuitBreakerEvents {
  /** The breaker opened; `cause` is the failure that tipped it. */
  open: [cause: unknown]
  /** The breaker will let one trial call through. */
  halfOpen: []
  /** A trial call succeeded; the window starts afresh. */
  close: []
  reject: [error: BrokenCircuitError]
  success: [durationMs: number]
  /** Also emitted for timeouts, after `timeout`. */
  failure: [error: unknown, durationMs: number]
  timeout: [error: CallTimeoutError]
}

type EventName = keyof CircuitBreakerEvents
type Listener<E extends EventName> = (...args: CircuitBreakerEvents[E]) => void
const EVENT_NAMES: readonly EventName[] = ['open', 'halfOpen', 'close', 'reject', 'success', 'failure', 'timeout']

const SUCCESS = 0
const FAILURE = 1
const TIMEOUT = 2
const REJECT = 3
const KINDS = 4

// A record, not a list, so adding an option to the interface without allowing it here fails to compile.
const OPTION_KEYS: Record<keyof CircuitBreakerOptions<unknown>, true> = {
  failureThreshold: true,
  volumeThreshold: true,
  windowMs: true,
  buckets: true,
  halfOpenAfterMs: true,
  timeoutMs: true,
  isFailure: true,
  fallback: true,
  now: true,
}
const OPTION_NAMES = Object.keys(OPTION_KEYS)

const defaultNow = () => performance.now()
const everyErrorIsAFailure = () => true

/**
 * Stops calling a failing dependency: opens when the failure rate over a rolling window reaches
 * `failureThreshold`, refuses calls while open, then lets one trial call decide whether to close again.
 */
export class CircuitBreaker<F = never> {
  readonly #failureThreshold: number
  readonly #volumeThreshold: number
  readonly #windowMs: number
  readonly #bucketCount: number
  readonly #bucketMs: number
  readonly #halfOpenAfterMs: number
  readonly #timeoutMs: number
  readonly #isFailure: (error: unknown) => boolean
  readonly #fallback: ((error: unknown) => F | PromiseLike<F>) | undefined
  readonly #now: () => number

  #state: CircuitState = 'closed'
  #openedAtMs = 0
  #trialRunning = false
  // Bumped on every close: outcomes of calls started before the breaker last tripped do not count in the new window.
  #generation = 0
  // The fast path's promise handlers, made once per closed period (see #bindHandlers).
  #onFulfilled!: <V>(value: V) => V
  #onRejected!: (error: unknown) => F | PromiseLike<F>

  // The window is a fixed ring of per-bucket counters (bucket × kind) plus running totals: memory stays
  // O(buckets) however many calls go through, and expiring a bucket is one subtraction per kind.
  readonly #counts: Float64Array
  readonly #totals = new Float64Array(KINDS)
  #bucket = 0
  #bucketStartMs: number

  readonly #listeners: { [E in EventName]: Listener<E>[] } = {
    open: [],
    halfOpen: [],
    close: [],
    reject: [],
    success: [],
    failure: [],
    timeout: [],
  }

  /** `options` undefined means every default; an unknown option throws a RangeError naming it. */
  constructor(options: CircuitBreakerOptions<F> = {}) {
    checkOptionsObject('CircuitBreaker', options)
    checkKnownKeys('CircuitBreaker', options, OPTION_NAMES)
    this.#failureThreshold = check(
      'failureThreshold',
      options.failureThreshold ?? 0.5,
      isRate,
      'a failure rate from 0 to 1',
    )
    this.#volumeThreshold = check('volumeThreshold', options.volumeThreshold ?? 10, isCount, 'an integer ≥ 0')
    this.#windowMs = check('windowMs', options.windowMs ?? 10_000, isPositive, 'a finite number of ms > 0')
    this.#bucketCount = check('buckets', options.buckets ?? 10, isPositiveInteger, 'an integer ≥ 1')
    this.#halfOpenAfterMs = check(
      'halfOpenAfterMs',
      options.halfOpenAfterMs ?? 10_000,
      isDuration,
      'a finite number of ms ≥ 0',
    )
    this.#timeoutMs = check(
      'timeoutMs',
      options.timeoutMs ?? 0,
      isDuration,
      'a finite number of ms ≥ 0 (0 turns it off)',
    )
    this.#isFailure = check('isFailure', options.isFailure ?? everyErrorIsAFailure, isFunction, 'a function')
    this.#fallback =
      options.fallback === undefined ? undefined : check('fallback', options.fallback, isFunction, 'a function')
    this.#now = check('now', options.now ?? defaultNow, isFunction, 'a function returning ms')
    this.#bucketMs = this.#windowMs / this.#bucketCount
    this.#counts = new Float64Array(this.#bucketCount * KINDS)
    this.#bucketStartMs = this.#now()
    this.#bindHandlers()
  }

  /** Current state. Reading it after `halfOpenAfterMs` in `open` moves the breaker to `halfOpen`. */
  get state(): CircuitState {
    if (this.#state === 'open') this.#halfOpenIfDue(this.#now())
    return this.#state
  }

  /** Counts over the current rolling window. */
  stats(): CircuitBreakerStats {
    const nowMs = this.#now()
    if (this.#state === 'open') this.#halfOpenIfDue(nowMs)
    this.#rotate(nowMs)
    const successes = this.#totals[SUCCESS]!
    const failures = this.#totals[FAILURE]!
    const calls = successes + failures
    return {
      state: this.#state,
      successes,
      failures,
      timeouts: this.#totals[TIMEOUT]!,
      rejects: this.#totals[REJECT]!,
      calls,
      failureRate: calls === 0 ? 0 : failures / calls,
      windowMs: this.#windowMs,
    }
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes (calling it again does nothing).
   * Calls already running when a `success` or `failure` listener subscribes are not reported to it.
   */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    if (!EVENT_NAMES.includes(event)) {
      throw new RangeError(
        `CircuitBreaker.on: unknown event ${JSON.stringify(event)}; use one of ${EVENT_NAMES.join(', ')}.`,
      )
    }
    // Copy on write, so a listener that unsubscribes during an emit does not skip its neighbour.
    const listeners = this.#listeners as { [K in EventName]: Listener<K>[] }
    listeners[event] = [...listeners[event], listener] as (typeof listeners)[E]
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      const list = listeners[event]
      const at = list.indexOf(listener)
      listeners[event] = [...list.slice(0, at), ...list.slice(at + 1)] as (typeof listeners)[E]
    }
  }

  /**
   * Runs `fn` unless the breaker is open. A refused call, a failure or a timeout gives `fallback(error)`
   * when a fallback is set, and otherwise rejects with that error.
   */
  execute<T>(fn: () => T | PromiseLike<T>): Promise<Awaited<T> | F> {
    const startMs = this.#now()
    this.#rotate(startMs)
    let trial = false
    if (this.#state !== 'closed') {
      if (this.#state === 'open') this.#halfOpenIfDue(startMs)
      if (this.#state === 'open' || this.#trialRunning) return this.#refuse(startMs)
      this.#trialRunning = true
      trial = true
    }
    const generation = this.#generation
    if (this.#timeoutMs > 0) return this.#executeWithTimeout(fn, startMs, trial, generation)
    if (trial || this.#listeners.success.length > 0 || this.#listeners.failure.length > 0) {
      return this.#executeTracked(fn, startMs, trial, generation)
    }
    // The common case, closed and unobserved, allocates no closure per call: the handlers are made once
    // per closed period. This halves the cost of an async wrapper (≈ 40 ns instead of ≈ 80 ns, measured here).
    let pending: T | PromiseLike<T>
    try {
      pending = fn()
    } catch (error) {
      pending = Promise.reject(error)
    }
    return Promise.resolve(pending).then(this.#onFulfilled, this.#onRejected) as Promise<Awaited<T> | F>
  }

  /** (Re)binds the fast path's handlers to the current closed period. */
  #bindHandlers(): void {
    const generation = this.#generation
    this.#onFulfilled = (value) => {
      if (generation === this.#generation) this.#record(SUCCESS)
      return value
    }
    // No start time without a closure; failure listeners (which get a duration) take the tracked path.
    this.#onRejected = (error) => this.#settleError(error, Number.NaN, false, generation)
  }

  async #executeTracked<T>(
    fn: () => T | PromiseLike<T>,
    startMs: number,
    trial: boolean,
    generation: number,
  ): Promise<Awaited<T> | F> {
    let value: Awaited<T>
    try {
      value = await fn()
    } catch (error) {
      return this.#settleError(error, startMs, trial, generation)
    }
    this.#settleSuccess(startMs, trial, generation)
    return value
  }

  #executeWithTimeout<T>(
    fn: () => T | PromiseLike<T>,
    startMs: number,
    trial: boolean,
    generation: number,
  ): Promise<Awaited<T> | F> {
    return new Promise((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        settled = true
        try {
          resolve(this.#settleTimeout(startMs, trial, generation))
        } catch (error) {
          reject(error)
        }
      }, this.#timeoutMs)
      // A pending call must not keep the process alive just because the breaker is watching it.
      timer.unref?.()
      let pending: PromiseLike<T> | T
      try {
        pending = fn()
      } catch (error) {
        pending = Promise.reject(error)
      }
      Promise.resolve(pending).then(
        (value) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          this.#settleSuccess(startMs, trial, generation)
          resolve(value)
        },
        (error: unknown) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          try {
            resolve(this.#settleError(error, startMs, trial, generation))
          } catch (thrown) {
            reject(thrown)
          }
        },
      )
    })
  }

  // No clock read here: a clock read costs 60–90 ns on a loaded VM, a third of the overhead budget. The
  // success lands in the bucket of the latest read, a time between the call's start and its end.
  #settleSuccess(startMs: number, trial: boolean, generation: number): void {
    if (trial) {
      this.#trialRunning = false
      this.#close(this.#now())
    } else if (generation !== this.#generation) {
      return
    }
    this.#record(SUCCESS)
    // NaN start: a fast-path call, begun before any success listener subscribed; it is not reported.
    if (this.#listeners.success.length > 0 && !Number.isNaN(startMs)) this.#emit('success', this.#now() - startMs)
  }

  /** Returns the fallback's result or throws. */
  #settleError(error: unknown, startMs: number, trial: boolean, generation: number): F | PromiseLike<F> {
    let isFailure: boolean
    try {
      isFailure = this.#isFailure(error)
    } catch (predicateError) {
      // Still settle the call as a failure, so a trial call cannot leave the breaker half-open for good.
      this.#settleFailure(error, startMs, trial, generation, false)
      throw predicateError
    }
    if (!isFailure) {
      this.#settleSuccess(startMs, trial, generation)
      throw error
    }
    this.#settleFailure(error, startMs, trial, generation, false)
    if (this.#fallback === undefined) throw error
    return this.#fallback(error)
  }

  #settleTimeout(startMs: number, trial: boolean, generation: number): F | PromiseLike<F> {
    const error = new CallTimeoutError(this.#timeoutMs)
    this.#settleFailure(error, startMs, trial, generation, true)
    if (this.#fallback === undefined) throw error
    return this.#fallback(error)
  }

  #settleFailure(error: unknown, startMs: number, trial: boolean, generation: number, timedOut: boolean): void {
    const endMs = this.#now()
    if (!trial && generation !== this.#generation) return
    this.#rotate(endMs)
    this.#record(FAILURE)
    if (timedOut) {
      this.#record(TIMEOUT)
      if (this.#listeners.timeout.length > 0) this.#emit('timeout', error as CallTimeoutError)
    }
    // NaN start: a fast-path call, begun before any failure listener subscribed; it is not reported.
    if (this.#listeners.failure.length > 0 && !Number.isNaN(startMs)) this.#emit('failure', error, endMs - startMs)
    if (trial) {
      this.#trialRunning = false
      this.#open(endMs, error)
    } else if (this.#state === 'closed') {
      const failures = this.#totals[FAILURE]!
      const calls = failures + this.#totals[SUCCESS]!
      if (calls >= this.#volumeThreshold && failures / calls >= this.#failureThreshold) this.#open(endMs, error)
    }
  }

  #refuse(nowMs: number): Promise<F> {
    this.#record(REJECT)
    const error = new BrokenCircuitError(
      this.#state === 'open' ? this.#openedAtMs + this.#halfOpenAfterMs - nowMs : undefined,
    )
    if (this.#listeners.reject.length > 0) this.#emit('reject', error)
    if (this.#fallback === undefined) return Promise.reject(error)
    try {
      return Promise.resolve(this.#fallback(error))
    } catch (thrown) {
      return Promise.reject(thrown)
    }
  }

  #open(nowMs: number, cause: unknown): void {
    this.#state = 'open'
    this.#openedAtMs = nowMs
    this.#emit('open', cause)
  }

  #halfOpenIfDue(nowMs: number): void {
    if (nowMs - this.#openedAtMs < this.#halfOpenAfterMs) return
    this.#state = 'halfOpen'
    this.#emit('halfOpen')
  }

  #close(nowMs: number): void {
    this.#state = 'closed'
    this.#generation++
    this.#bindHandlers()
    this.#counts.fill(0)
    this.#totals.fill(0)
    this.#bucketStartMs = nowMs
    this.#emit('close')
  }

  #record(kind: number): void {
    this.#counts[this.#bucket * KINDS + kind]!++
    this.#totals[kind]!++
  }

  /** Moves the ring forward to the bucket holding `nowMs`, emptying the buckets that fell out of the window. */
  #rotate(nowMs: number): void {
    const elapsedMs = nowMs - this.#bucketStartMs
    if (elapsedMs < this.#bucketMs) return
    const steps = Math.floor(elapsedMs / this.#bucketMs)
    this.#bucketStartMs += steps * this.#bucketMs
    if (steps >= this.#bucketCount) {
      this.#counts.fill(0)
      this.#totals.fill(0)
      return
    }
    for (let s = 0; s < steps; s++) {
      this.#bucket = (this.#bucket + 1) % this.#bucketCount
      const base = this.#bucket * KINDS
      for (let kind = 0; kind < KINDS; kind++) {
        this.#totals[kind]! -= this.#counts[base + kind]!
        this.#counts[base + kind] = 0
      }
    }
  }

  #emit<E extends EventName>(event: E, ...args: CircuitBreakerEvents[E]): void {
    for (const listener of this.#listeners[event]) {
      try {
        listener(...args)
      } catch (error) {
        // A throwing listener must not leave the breaker half-updated or fail the caller's call.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}

const isRate = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0
const isPositiveInteger = (v: unknown) => Number.isInteger(v) && (v as number) >= 1
const isPositive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0
const isDuration = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0
const isFunction = (v: unknown) => typeof v === 'function'

function check<V>(name: string, value: V, ok: (v: unknown) => boolean, allowed: string): V {
  if (ok(value)) return value
  throw new RangeError(`CircuitBreaker: ${name} must be ${allowed}; got ${showValue(value)}.`)
}
