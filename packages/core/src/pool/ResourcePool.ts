import { EventEmitter } from 'node:events'
import { type MemoryReading, processMemoryReader } from '../memory/processMemory.js'
import { checkKnownKeys, checkOption, checkOptionsObject, checkSignal, is } from '../validate/options.js'
import { PoolDrainedError, PoolTimeoutError } from './errors.js'
import { createBackoffMs, evictionScore } from './evictionScore.js'

export interface ResourcePoolOptions<R> {
  /** Makes a resource (opens a connection). A rejection is retried with backoff while callers wait. Required. */
  create: () => Promise<R> | R
  /** Closes a resource. Called exactly once for every resource `create` returned. Required. */
  destroy: (resource: R) => Promise<void> | void
  /**
   * Checks an idle resource before a caller gets it; false or a throw evicts it (it never reaches a caller)
   * and the caller gets another. Default: none. Not called for a resource just created or just released.
   */
  validate?: (resource: R) => Promise<boolean> | boolean
  /** Resources kept even when idle; recreated in the background when they go. Default 0. */
  min?: number
  /** Most resources at once, idle and borrowed. Default 10. Can be changed later through `max`. */
  max?: number
  /** How long `acquire` waits before rejecting with `PoolTimeoutError`, ms; `Infinity` waits for ever. Default 30 000. */
  acquireTimeoutMs?: number
  /** An idle resource above `min` is evicted after this long, ms. Default 30 000; `Infinity` keeps it. */
  idleTimeoutMs?: number
  /** A resource older than this is evicted when next idle or released, even below `min` (then replaced), ms. Default Infinity. */
  maxAgeMs?: number
  /** A resource released this many times is evicted instead of reused. Default Infinity. */
  maxUses?: number
  /** First delay before retrying a failed `create`, ms; it doubles per failure up to `createRetryMaxMs`. Default 100. */
  createRetryMs?: number
  /** Longest delay between `create` retries, ms. Default 5 000. */
  createRetryMaxMs?: number
  /** How often idle, old and surplus resources are looked for, ms. Default 1 000. The timer does not keep the process alive. */
  evictionIntervalMs?: number
  /**
   * Evict idle resources above `min` when the process's memory (V8 heap + external) passes this share
   * of `memoryBudgetBytes`. Default 0.85; `false` turns it off.
   */
  memoryThreshold?: number | false
  /** The memory budget, bytes. Default V8's old-generation limit. */
  memoryBudgetBytes?: number
  /** Process memory, for tests. Default: V8's heap statistics (≈ 1 µs a read, once per eviction interval). */
  readMemory?: () => MemoryReading
  /** Clock in ms. Default `performance.now`. */
  now?: () => number
}

export interface ResourcePoolStats {
  /** Resources that exist: idle, borrowed and being validated. */
  size: number
  /** Idle resources ready to hand out. */
  available: number
  borrowed: number
  /** Callers waiting in `acquire`. */
  pending: number
  /** `create` calls that succeeded, ever. */
  created: number
  /** `destroy` calls, ever (evictions, `destroy(r)`, `drain()`). */
  destroyed: number
  /** Resources the pool removed by itself: failed validation, idle, age, uses, over capacity or memory. */
  evicted: number
}

export type EvictionReason = 'validation' | 'idle' | 'maxAge' | 'maxUses' | 'capacity' | 'memory' | 'drain'

/** Listener arguments of each event. */
export interface ResourcePoolEvents<R> {
  create: [resource: R]
  /** `reason` is an eviction reason, or 'destroyed' for `destroy(r)`. */
  destroy: [resource: R, reason: EvictionReason | 'destroyed']
  evict: [resource: R, reason: EvictionReason]
  /** A create failed; the next try is in `retryInMs` if callers still wait or `min` is not met. */
  createError: [error: unknown, consecutiveFailures: number, retryInMs: number]
  validateFail: [resource: R, error: unknown]
  destroyError: [error: unknown, resource: R]
  acquireTimeout: [error: PoolTimeoutError]
}

interface ResourceRecord<R> {
  resource: R
  createdAtMs: number
  idleSinceMs: number
  uses: number
  errors: number
  broken: boolean
  state: 'idle' | 'borrowed' | 'validating'
}

interface Waiter<R> {
  resolve: (resource: R) => void
  reject: (error: unknown) => void
  startedMs: number
  timer: ReturnType<typeof setTimeout> | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  settled: boolean
}

const OWNER = 'ResourcePool'
const OPTION_KEYS: Record<keyof ResourcePoolOptions<unknown>, true> = {
  create: true,
  destroy: true,
  validate: true,
  min: true,
  max: true,
  acquireTimeoutMs: true,
  idleTimeoutMs: true,
  maxAgeMs: true,
  maxUses: true,
  createRetryMs: true,
  createRetryMaxMs: true,
  evictionIntervalMs: true,
  memoryThreshold: true,
  memoryBudgetBytes: true,
  readMemory: true,
  now: true,
}
const OPTION_NAMES = Object.keys(OPTION_KEYS)
const durationOrInfinity = 'a number of ms > 0, or Infinity'

/**
 * A pool of reusable resources (connections, browsers, workers). Callers wait in order; a resource that
 * fails validation never reaches one; a failing `create` is retried with backoff while they wait, and a
 * caller that times out is told the last create error. Resources leave by an eviction score — broken
 * first, then by errors, age and idle time (see `evictionScore`).
 */
export class ResourcePool<R> extends EventEmitter<ResourcePoolEvents<R>> {
  readonly #create: () => Promise<R> | R
  readonly #destroy: (resource: R) => Promise<void> | void
  readonly #validate: ((resource: R) => Promise<boolean> | boolean) | undefined
  readonly #min: number
  #max: number
  readonly #acquireTimeoutMs: number
  readonly #idleTimeoutMs: number
  readonly #maxAgeMs: number
  readonly #maxUses: number
  readonly #createRetryMs: number
  readonly #createRetryMaxMs: number
  readonly #memoryThreshold: number | false
  readonly #readMemory: () => MemoryReading
  readonly #now: () => number

  readonly #records = new Map<R, ResourceRecord<R>>()
  // A stack: the most recently released resource goes out first, so the rest stay idle and time out.
  readonly #idle: ResourceRecord<R>[] = []
  // FIFO with a moving head; waiters that timed out or aborted stay (settled) until they reach the head.
  #waiters: Waiter<R>[] = []
  #head = 0
  #pending = 0
  #borrowed = 0
  #validating = 0
  #creating = 0
  #created = 0
  #destroyed = 0
  #evicted = 0
  #createFailures = 0
  #lastCreateError: unknown
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #evictionTimer: ReturnType<typeof setInterval> | undefined
  #draining = false
  #drained: Promise<void> | undefined
  #onQuiet: (() => void) | undefined
  readonly #destroying = new Set<Promise<void>>()

  constructor(options: ResourcePoolOptions<R>) {
    super()
    const opts = checkOptionsObject(OWNER, options) as Partial<ResourcePoolOptions<R>>
    checkKnownKeys(OWNER, opts, OPTION_NAMES)
    const check = <V>(name: keyof ResourcePoolOptions<R>, value: V, ok: (v: unknown) => boolean, allowed: string) =>
      checkOption(OWNER, name, value, ok, allowed)
    this.#create = check('create', opts.create!, is.function, 'a function returning a resource or a promise of one')
    this.#destroy = check('destroy', opts.destroy!, is.function, 'a function')
    this.#validate =
      opts.validate === undefined ? undefined : check('validate', opts.validate, is.function, 'a function')
    this.#min = check('min', opts.min ?? 0, is.count, 'an integer ≥ 0')
    this.#max = check(
      'max',
      opts.max ?? Math.max(10, this.#min),
      (v) => is.positiveInteger(v) && (v as number) >= this.#min,
      `an integer ≥ 1 and ≥ min (${this.#min})`,
    )
    this.#acquireTimeoutMs = check(
      'acquireTimeoutMs',
      opts.acquireTimeoutMs ?? 30_000,
      is.positiveOrInfinity,
      durationOrInfinity,
    )
    this.#idleTimeoutMs = check(
      'idleTimeoutMs',
      opts.idleTimeoutMs ?? 30_000,
      is.positiveOrInfinity,
      durationOrInfinity,
    )
    this.#maxAgeMs = check(
      'maxAgeMs',
      opts.maxAgeMs ?? Number.POSITIVE_INFINITY,
      is.positiveOrInfinity,
      durationOrInfinity,
    )
    this.#maxUses = check(
      'maxUses',
      opts.maxUses ?? Number.POSITIVE_INFINITY,
      (v) => v === Number.POSITIVE_INFINITY || is.positiveInteger(v),
      'an integer ≥ 1, or Infinity',
    )
    this.#createRetryMs = check('createRetryMs', opts.createRetryMs ?? 100, is.positive, 'a finite number of ms > 0')
    this.#createRetryMaxMs = check(
      'createRetryMaxMs',
      opts.createRetryMaxMs ?? 5_000,
      (v) => is.positive(v) && (v as number) >= this.#createRetryMs,
      `a finite number of ms ≥ createRetryMs (${this.#createRetryMs})`,
    )
    const evictionIntervalMs = check(
      'evictionIntervalMs',
      opts.evictionIntervalMs ?? 1_000,
      is.positive,
      'a finite number of ms > 0',
    )
    this.#memoryThreshold =
      opts.memoryThreshold === false
        ? false
        : check(
            'memoryThreshold',
            opts.memoryThreshold ?? 0.85,
            is.fraction,
            'a share of the budget between 0 and 1, or false',
          )
    const budget =
      opts.memoryBudgetBytes === undefined
        ? undefined
        : check('memoryBudgetBytes', opts.memoryBudgetBytes, is.positive, 'a number of bytes > 0')
    this.#readMemory = check('readMemory', opts.readMemory ?? processMemoryReader(budget), is.function, 'a function')
    this.#now = check('now', opts.now ?? (() => performance.now()), is.function, 'a function returning ms')
    this.#evictionTimer = setInterval(() => this.evictNow(), evictionIntervalMs)
    this.#evictionTimer.unref?.()
    this.#dispatch()
  }

  /** Most resources at once. Lowering it evicts idle resources above it now and borrowed ones as they come back. */
  get max(): number {
    return this.#max
  }

  set max(value: number) {
    this.#max = checkOption(
      OWNER,
      'max',
      value,
      (v) => is.positiveInteger(v) && (v as number) >= this.#min,
      `an integer ≥ 1 and ≥ min (${this.#min})`,
    )
    this.evictNow()
    this.#dispatch()
  }

  /**
   * Resolves to a resource once one is free, in the order callers asked. Rejects with `PoolTimeoutError`
   * after `acquireTimeoutMs`, with `signal.reason` when `signal` aborts, with `PoolDrainedError` after `drain()`.
   */
  acquire(signal?: AbortSignal): Promise<R> {
    if (this.#draining) return Promise.reject(new PoolDrainedError())
    if (signal !== undefined) {
      checkSignal(`${OWNER}.acquire`, signal)
      if (signal.aborted) return Promise.reject(signal.reason)
    }
    // Fast path: nobody waits and an idle resource needs no check.
    if (this.#pending === 0 && this.#validate === undefined) {
      while (this.#idle.length > 0) {
        const record = this.#idle.pop()!
        if (this.#retireOnBorrow(record)) continue
        record.state = 'borrowed'
        this.#borrowed++
        return Promise.resolve(record.resource)
      }
    }
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter<R> = {
        resolve,
        reject,
        startedMs: this.#now(),
        timer: undefined,
        signal,
        onAbort: undefined,
        settled: false,
      }
      if (Number.isFinite(this.#acquireTimeoutMs)) {
        waiter.timer = setTimeout(() => this.#timeOut(waiter), this.#acquireTimeoutMs)
      }
      if (signal !== undefined) {
        waiter.onAbort = () => this.#settleWaiter(waiter, undefined, signal.reason)
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.#waiters.push(waiter)
      this.#pending++
      this.#dispatch()
    })
  }

  /**
   * Gives a borrowed resource back. Pass the error it failed with, if any: errors raise its eviction
   * score. Throws for a resource that is not borrowed from this pool (a second release, say).
   */
  release(resource: R, error?: unknown): void {
    const record = this.#records.get(resource)
    if (record === undefined || record.state !== 'borrowed') {
      throw new Error(`${OWNER}.release: this resource is not borrowed from this pool (released twice, or destroyed?).`)
    }
    this.#borrowed--
    record.uses++
    if (error !== undefined) record.errors++
    record.idleSinceMs = this.#now()
    const reason = this.#retireReason(record, record.idleSinceMs)
    if (reason !== undefined) {
      this.#evict(record, reason)
    } else if (this.#pending > 0) {
      // Straight to the first waiter (a create in flight for it will land idle), without validation:
      // it was in use a moment ago.
      this.#hand(record)
    } else {
      record.state = 'idle'
      this.#idle.push(record)
    }
    if (this.#pending > 0 || this.#records.size < this.#min || this.#draining) this.#dispatch()
  }

  /** Destroys a borrowed resource the caller found broken; the pool replaces it if callers wait or `min` needs it. */
  destroy(resource: R): Promise<void> {
    const record = this.#records.get(resource)
    if (record === undefined || record.state !== 'borrowed') {
      return Promise.reject(
        new Error(`${OWNER}.destroy: this resource is not borrowed from this pool (released or destroyed already?).`),
      )
    }
    this.#borrowed--
    const done = this.#remove(record, 'destroyed')
    this.#dispatch()
    return done
  }

  /** Runs `fn` with a resource and releases it however `fn` ends; an error counts against the resource. */
  async use<T>(fn: (resource: R) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const resource = await this.acquire(signal)
    let result: T
    try {
      result = await fn(resource)
    } catch (error) {
      if (this.#records.get(resource)?.state === 'borrowed') this.release(resource, error)
      throw error
    }
    if (this.#records.get(resource)?.state === 'borrowed') this.release(resource)
    return result
  }

  /**
   * Closes the pool: new `acquire` calls and callers still waiting are rejected with `PoolDrainedError`;
   * borrowed resources are destroyed as they come back, creates in flight as they finish, idle ones now.
   * Resolves once every resource is destroyed. Calling it again returns the same promise.
   */
  drain(): Promise<void> {
    if (this.#drained !== undefined) return this.#drained
    this.#draining = true
    clearInterval(this.#evictionTimer)
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    for (let i = this.#head; i < this.#waiters.length; i++)
      this.#settleWaiter(this.#waiters[i]!, undefined, new PoolDrainedError())
    this.#waiters = []
    this.#head = 0
    this.#drained = (async () => {
      while (this.#idle.length > 0) this.#evict(this.#idle.pop()!, 'drain')
      if (this.#borrowed + this.#creating + this.#validating > 0) {
        await new Promise<void>((resolve) => {
          this.#onQuiet = resolve
        })
      }
      while (this.#destroying.size > 0) await Promise.allSettled([...this.#destroying])
    })()
    return this.#drained
  }

  stats(): ResourcePoolStats {
    return {
      size: this.#records.size,
      available: this.#idle.length,
      borrowed: this.#borrowed,
      pending: this.#pending,
      created: this.#created,
      destroyed: this.#destroyed,
      evicted: this.#evicted,
    }
  }

  /**
   * Evicts what should go now: idle resources past `maxAgeMs`, idle ones above `min` past `idleTimeoutMs`,
   * and — highest eviction score first — idle ones above `max` or, when memory is over the threshold,
   * above `min`. The eviction timer calls it every `evictionIntervalMs`. Returns the number evicted.
   */
  evictNow(): number {
    if (this.#draining) return 0
    const nowMs = this.#now()
    const before = this.#evicted
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const record = this.#idle[i]!
      if (nowMs - record.createdAtMs >= this.#maxAgeMs) this.#evict(record, 'maxAge')
    }
    const limits = { maxAgeMs: this.#maxAgeMs, idleTimeoutMs: this.#idleTimeoutMs }
    const byScore = [...this.#idle].sort((a, b) => evictionScore(b, nowMs, limits) - evictionScore(a, nowMs, limits))
    let memoryShort: boolean | undefined
    for (const record of byScore) {
      if (this.#records.size > this.#max) this.#evict(record, 'capacity')
      else if (this.#records.size <= this.#min) break
      else if (nowMs - record.idleSinceMs >= this.#idleTimeoutMs) this.#evict(record, 'idle')
      else {
        memoryShort ??= this.#memoryShort()
        if (memoryShort) this.#evict(record, 'memory')
      }
    }
    this.#dispatch()
    return this.#evicted - before
  }

  #memoryShort(): boolean {
    if (this.#memoryThreshold === false) return false
    const { usedBytes, budgetBytes } = this.#readMemory()
    return usedBytes >= this.#memoryThreshold * budgetBytes
  }

  /** Starts creates, validations and hand-overs until waiters are covered and `min` is met. */
  #dispatch(): void {
    while (this.#pending > this.#validating && this.#idle.length > 0) {
      const record = this.#idle.pop()!
      if (this.#retireOnBorrow(record)) continue
      if (this.#validate !== undefined) this.#validateThenHand(record)
      else this.#hand(record)
    }
    if (this.#retryTimer !== undefined) return
    let wanted = Math.max(
      this.#pending - this.#validating - this.#creating,
      this.#min - this.#records.size - this.#creating,
    )
    if (this.#draining) wanted = 0
    // After a failure only one create runs at a time: a down database gets one probe per backoff step.
    if (this.#createFailures > 0) wanted = Math.min(wanted, 1 - this.#creating)
    while (wanted > 0 && this.#records.size + this.#creating < this.#max) {
      wanted--
      void this.#createOne()
    }
  }

  async #createOne(): Promise<void> {
    this.#creating++
    let resource: R
    try {
      resource = await this.#create()
    } catch (error) {
      this.#creating--
      this.#createFailures++
      this.#lastCreateError = error
      const retryInMs = createBackoffMs(this.#createFailures, this.#createRetryMs, this.#createRetryMaxMs)
      this.#notify('createError', error, this.#createFailures, retryInMs)
      if (this.#draining) {
        this.#checkQuiet()
        return
      }
      clearTimeout(this.#retryTimer)
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined
        this.#dispatch()
      }, retryInMs)
      // Waiting callers keep the process alive through their own timers; keeping `min` alone does not.
      if (this.#pending === 0) this.#retryTimer.unref?.()
      return
    }
    this.#creating--
    this.#createFailures = 0
    this.#lastCreateError = undefined
    const nowMs = this.#now()
    const record: ResourceRecord<R> = {
      resource,
      createdAtMs: nowMs,
      idleSinceMs: nowMs,
      uses: 0,
      errors: 0,
      broken: false,
      state: 'idle',
    }
    this.#records.set(resource, record)
    this.#created++
    this.#notify('create', resource)
    if (this.#draining) {
      this.#evict(record, 'drain')
      this.#checkQuiet()
      return
    }
    if (this.#pending > this.#validating) this.#hand(record)
    else this.#idle.push(record)
    this.#dispatch()
  }

  async #validateThenHand(record: ResourceRecord<R>): Promise<void> {
    record.state = 'validating'
    this.#validating++
    let valid: boolean
    let failure: unknown
    try {
      valid = (await this.#validate!(record.resource)) === true
    } catch (error) {
      valid = false
      failure = error
    }
    this.#validating--
    if (!valid) {
      record.broken = true
      this.#notify('validateFail', record.resource, failure)
      this.#evict(record, 'validation')
    } else if (this.#pending > this.#validating && !this.#draining) {
      this.#hand(record)
    } else if (this.#draining) {
      this.#evict(record, 'drain')
    } else {
      record.state = 'idle'
      this.#idle.push(record)
    }
    this.#checkQuiet()
    this.#dispatch()
  }

  /** Gives `record` to the first caller still waiting, or puts it back if none is. */
  #hand(record: ResourceRecord<R>): void {
    while (this.#head < this.#waiters.length) {
      const waiter = this.#waiters[this.#head]!
      this.#waiters[this.#head++] = undefined as never
      if (waiter.settled) continue
      this.#compactWaiters()
      record.state = 'borrowed'
      this.#borrowed++
      this.#settleWaiter(waiter, record.resource, undefined)
      return
    }
    this.#compactWaiters()
    record.state = 'idle'
    this.#idle.push(record)
  }

  #compactWaiters(): void {
    if (this.#head === this.#waiters.length) {
      this.#waiters = []
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head)
      this.#head = 0
    }
  }

  #settleWaiter(waiter: Waiter<R>, resource: R | undefined, error: unknown): void {
    if (waiter.settled) return
    waiter.settled = true
    this.#pending--
    if (waiter.timer !== undefined) clearTimeout(waiter.timer)
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
    if (error === undefined) waiter.resolve(resource as R)
    else waiter.reject(error)
  }

  #timeOut(waiter: Waiter<R>): void {
    const error = new PoolTimeoutError(
      this.#now() - waiter.startedMs,
      { size: this.#records.size, max: this.#max, borrowed: this.#borrowed, pending: this.#pending },
      this.#lastCreateError,
    )
    this.#settleWaiter(waiter, undefined, error)
    this.#notify('acquireTimeout', error)
  }

  /** Whether an idle resource must go instead of being handed out (too old); evicts it if so. */
  #retireOnBorrow(record: ResourceRecord<R>): boolean {
    if (this.#maxAgeMs === Number.POSITIVE_INFINITY || this.#now() - record.createdAtMs < this.#maxAgeMs) return false
    this.#evict(record, 'maxAge')
    return true
  }

  #retireReason(record: ResourceRecord<R>, nowMs: number): EvictionReason | undefined {
    if (this.#draining) return 'drain'
    if (record.uses >= this.#maxUses) return 'maxUses'
    if (nowMs - record.createdAtMs >= this.#maxAgeMs) return 'maxAge'
    if (this.#records.size > this.#max) return 'capacity'
    return undefined
  }

  #evict(record: ResourceRecord<R>, reason: EvictionReason): void {
    const at = this.#idle.indexOf(record)
    if (at >= 0) this.#idle.splice(at, 1)
    this.#evicted++
    this.#notify('evict', record.resource, reason)
    void this.#remove(record, reason)
  }

  #remove(record: ResourceRecord<R>, reason: EvictionReason | 'destroyed'): Promise<void> {
    this.#records.delete(record.resource)
    this.#destroyed++
    this.#notify('destroy', record.resource, reason)
    const done = (async () => {
      try {
        await this.#destroy(record.resource)
      } catch (error) {
        this.#notify('destroyError', error, record.resource)
      }
    })()
    this.#destroying.add(done)
    void done.finally(() => this.#destroying.delete(done))
    this.#checkQuiet()
    return done
  }

  /** Emits without letting a throwing listener break the pool's bookkeeping; its error is rethrown asynchronously. */
  #notify<E extends keyof ResourcePoolEvents<R>>(event: E, ...args: ResourcePoolEvents<R>[E]): void {
    if (this.listenerCount(event) === 0) return
    try {
      ;(this.emit as (event: E, ...args: ResourcePoolEvents<R>[E]) => boolean)(event, ...args)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }

  #checkQuiet(): void {
    if (this.#onQuiet !== undefined && this.#borrowed + this.#creating + this.#validating === 0) {
      const resolve = this.#onQuiet
      this.#onQuiet = undefined
      resolve()
    }
  }
}
