import { createDemandEstimate, type DemandEstimate, observeCall, predictedCallsPerWindow } from './demand.js'
import { RateLimiterSetupError, RateLimiterStoppedError, RateLimitStoreError } from './errors.js'
import { type RateLimiterOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { RedisWindowStore } from './redisWindowStore.js'
import {
  createStartLog,
  isIdle,
  msUntilNextStart,
  recordStart,
  type StartLog,
  type WindowRule,
  windowRule,
} from './window.js'

export interface ScheduleOptions {
  /** Aborting cancels the job while it waits: its promise rejects with `signal.reason` and fn never runs. A running job is not touched. */
  signal?: AbortSignal
}

export interface RateLimiterStats {
  /** Jobs started since creation. */
  started: number
  /** Jobs waiting for a start, all keys. */
  waiting: number
  /** Jobs running now; undefined without maxConcurrent (the limiter then never subscribes to a job's promise). */
  running: number | undefined
  /** Waiting jobs cancelled by their AbortSignal. */
  cancelled: number
  /** Keys the limiter holds state for. */
  keys: number
  /** Keys whose starts are being spaced out because predicted demand exceeds their limit. */
  pacedKeys: number
  /** Cluster mode: failed Redis calls. */
  storeErrors: number
  /** Cluster mode: grants not used because the reply came later than leaseMs (tokens given up, never reused). */
  lateGrants: number
}

type Job = {
  fn: () => unknown
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

type KeyState = {
  key: string
  rule: WindowRule
  log: StartLog
  demand: DemandEstimate | undefined
  /** FIFO of waiting jobs; `head` is the first live index. */
  queue: Job[]
  head: number
  timer: ReturnType<typeof setTimeout> | undefined
  /** Queued in `slotWaiters` for a maxConcurrent slot. */
  waitingForSlot: boolean
  /** Cluster mode: an acquire round trip is in flight. */
  acquiring: boolean
  /** Cluster mode: when Redis started failing for this key, ms (limiter clock). */
  outageSinceMs: number | undefined
}

const DEFAULT_KEY = ''
// Forget idle keys once the map has grown this much since the last sweep (amortized O(1) per new key).
const MIN_SWEEP_KEYS = 1024

/**
 * Starts jobs at most `limit` (+ `burst`) times per key in any window of `intervalMs`, optionally capped at
 * `maxConcurrent` running jobs, in this process or (with `redis`) across every process sharing a Redis.
 */
export class RateLimiter {
  private readonly options: ResolvedOptions
  private readonly keys = new Map<string, KeyState>()
  private readonly slotWaiters: KeyState[] = []
  private slotWaitersHead = 0
  private readonly store: RedisWindowStore | undefined
  private readonly tracksRunning: boolean
  private running = 0
  /** Cluster mode: starts asked for in acquires still in flight (they count against maxConcurrent). */
  private reserved = 0
  private started = 0
  private cancelled = 0
  private lateGrants = 0
  private waiting = 0
  private stopped = false
  private sweepAtKeys = MIN_SWEEP_KEYS

  constructor(options: RateLimiterOptions) {
    this.options = resolveOptions(options)
    this.tracksRunning = this.options.maxConcurrent !== Number.POSITIVE_INFINITY
    if (this.options.redis !== undefined) this.store = new RedisWindowStore(this.options.redis)
  }

  schedule<T>(fn: () => T | PromiseLike<T>, options?: ScheduleOptions): Promise<Awaited<T>>
  schedule<T>(key: string, fn: () => T | PromiseLike<T>, options?: ScheduleOptions): Promise<Awaited<T>>
  schedule<T>(
    keyOrFn: string | (() => T | PromiseLike<T>),
    fnOrOptions?: (() => T | PromiseLike<T>) | ScheduleOptions,
    maybeOptions?: ScheduleOptions,
  ): Promise<Awaited<T>> {
    let key: string
    let fn: () => T | PromiseLike<T>
    let signal: AbortSignal | undefined
    if (typeof keyOrFn === 'function') {
      key = DEFAULT_KEY
      fn = keyOrFn
      signal = (fnOrOptions as ScheduleOptions | undefined)?.signal
    } else {
      key = keyOrFn
      fn = fnOrOptions as () => T | PromiseLike<T>
      signal = maybeOptions?.signal
      if (typeof key !== 'string') throw new TypeError(`RateLimiter.schedule: key must be a string; got ${typeof key}.`)
    }
    if (typeof fn !== 'function') throw new TypeError(`RateLimiter.schedule: fn must be a function; got ${typeof fn}.`)
    if (this.stopped) return Promise.reject(new RateLimiterStoppedError())
    if (signal?.aborted) return Promise.reject(signal.reason)

    const ks = this.keys.get(key) ?? this.addKey(key)
    const nowMs = this.options.now()
    if (ks.demand !== undefined) observeCall(ks.demand, nowMs, this.options.intervalMs, this.options.predictSmoothing)
    // Fast path: nothing queued ahead, a slot free, the window open: run now, no timer, no promise of ours.
    if (
      this.store === undefined &&
      ks.head === ks.queue.length &&
      this.running < this.options.maxConcurrent &&
      msUntilNextStart(ks.log, ks.rule, nowMs, this.isPaced(ks)) === 0
    ) {
      recordStart(ks.log, ks.rule, nowMs)
      return this.run(fn) as Promise<Awaited<T>>
    }
    return new Promise<Awaited<T>>((resolve, reject) => {
      const job: Job = { fn, resolve: resolve as (value: unknown) => void, reject, signal, onAbort: undefined }
      if (signal !== undefined) {
        job.onAbort = () => this.cancel(ks, job)
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
      ks.queue.push(job)
      this.waiting++
      this.pump(ks)
    })
  }

  stats(): RateLimiterStats {
    let pacedKeys = 0
    for (const ks of this.keys.values()) if (this.isPaced(ks)) pacedKeys++
    return {
      started: this.started,
      waiting: this.waiting,
      running: this.tracksRunning ? this.running : undefined,
      cancelled: this.cancelled,
      keys: this.keys.size,
      pacedKeys,
      storeErrors: this.store?.errors ?? 0,
      lateGrants: this.lateGrants,
    }
  }

  /** Refuses new jobs and rejects every waiting one with RateLimiterStoppedError. Running jobs finish on their own. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    const error = new RateLimiterStoppedError()
    for (const ks of this.keys.values()) this.rejectWaiting(ks, error)
  }

  /** stop(), then closes the Redis connection the limiter opened from redis.url (never a client you passed). */
  async close(): Promise<void> {
    this.stop()
    await this.store?.close()
  }

  private addKey(key: string): KeyState {
    if (this.keys.size >= this.sweepAtKeys) this.sweepIdleKeys()
    const limit = this.options.keyLimits.get(key) ?? this.options.limit
    const rule = windowRule(limit, this.options.burst, this.options.intervalMs, this.options.redis?.leaseMs ?? 0)
    const ks: KeyState = {
      key,
      rule,
      log: createStartLog(rule.cap),
      demand: this.options.predictSmoothing > 0 ? createDemandEstimate() : undefined,
      queue: [],
      head: 0,
      timer: undefined,
      waitingForSlot: false,
      acquiring: false,
      outageSinceMs: undefined,
    }
    this.keys.set(key, ks)
    return ks
  }

  private sweepIdleKeys(): void {
    const nowMs = this.options.now()
    for (const [key, ks] of this.keys) {
      if (ks.head === ks.queue.length && !ks.acquiring && isIdle(ks.log, ks.rule, nowMs)) this.keys.delete(key)
    }
    this.sweepAtKeys = Math.max(MIN_SWEEP_KEYS, this.keys.size * 2)
  }

  /** Pacing: the key's predicted calls for the next window exceed what its limit lets start. */
  private isPaced(ks: KeyState): boolean {
    if (ks.demand === undefined) return false
    return predictedCallsPerWindow(ks.demand, this.options.predictSmoothing) > ks.rule.cap - this.options.burst
  }

  private run(fn: () => unknown): Promise<unknown> {
    this.started++
    if (!this.tracksRunning) {
      try {
        const result = fn()
        return result instanceof Promise ? result : Promise.resolve(result)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    this.running++
    let result: unknown
    try {
      result = fn()
    } catch (error) {
      this.release()
      return Promise.reject(error)
    }
    const promise = result instanceof Promise ? result : Promise.resolve(result)
    // The one subscription maxConcurrent needs: it is how the limiter learns the job finished.
    promise.then(this.release, this.release)
    return promise
  }

  private readonly release = (): void => {
    this.running--
    while (
      this.running + this.reserved < this.options.maxConcurrent &&
      this.slotWaitersHead < this.slotWaiters.length
    ) {
      const ks = this.slotWaiters[this.slotWaitersHead++]!
      if (this.slotWaitersHead === this.slotWaiters.length) {
        this.slotWaiters.length = 0
        this.slotWaitersHead = 0
      }
      ks.waitingForSlot = false
      this.pump(ks)
    }
  }

  private waitForSlot(ks: KeyState): void {
    if (ks.waitingForSlot) return
    ks.waitingForSlot = true
    this.slotWaiters.push(ks)
  }

  private armTimer(ks: KeyState, waitMs: number): void {
    ks.timer = setTimeout(() => {
      ks.timer = undefined
      this.pump(ks)
    }, Math.ceil(waitMs))
  }

  private shiftJob(ks: KeyState): Job {
    const job = ks.queue[ks.head]!
    ks.queue[ks.head++] = undefined as unknown as Job
    if (ks.head === ks.queue.length) {
      ks.queue.length = 0
      ks.head = 0
    }
    this.waiting--
    if (job.onAbort !== undefined) job.signal!.removeEventListener('abort', job.onAbort)
    return job
  }

  private startJob(job: Job): void {
    job.resolve(this.run(job.fn))
  }

  /** Starts what the rules allow now, then waits for a slot or arms one timer for this key. */
  private pump(ks: KeyState): void {
    if (ks.timer !== undefined || this.stopped) return
    if (this.store !== undefined) {
      this.pumpCluster(ks)
      return
    }
    while (ks.head < ks.queue.length) {
      if (this.running >= this.options.maxConcurrent) {
        this.waitForSlot(ks)
        return
      }
      const nowMs = this.options.now()
      const waitMs = msUntilNextStart(ks.log, ks.rule, nowMs, this.isPaced(ks))
      if (waitMs > 0) {
        this.armTimer(ks, waitMs)
        return
      }
      recordStart(ks.log, ks.rule, nowMs)
      this.startJob(this.shiftJob(ks))
    }
  }

  private pumpCluster(ks: KeyState): void {
    if (ks.acquiring || ks.head === ks.queue.length) return
    const free = this.options.maxConcurrent - this.running - this.reserved
    if (free <= 0) {
      this.waitForSlot(ks)
      return
    }
    const redis = this.options.redis!
    const want = Math.min(ks.queue.length - ks.head, free, redis.batch)
    const toleranceMs = this.isPaced(ks) ? 0 : ks.rule.toleranceMs
    ks.acquiring = true
    this.reserved += want
    const sentMs = performance.now()
    this.store!.acquire(ks.key, ks.rule, want, toleranceMs).then(
      (grant) => {
        ks.acquiring = false
        this.reserved -= want
        ks.outageSinceMs = undefined
        if (this.stopped) return
        let granted = grant.granted
        // A grant is only good for leaseMs after the request left: Redis checked windows of intervalMs + leaseMs.
        while (granted > 0 && ks.head < ks.queue.length && performance.now() - sentMs <= redis.leaseMs) {
          granted--
          this.startJob(this.shiftJob(ks))
        }
        if (granted > 0 && ks.head < ks.queue.length) this.lateGrants += granted
        if (ks.head === ks.queue.length) return
        if (grant.granted < want && grant.waitMs > 0) this.armTimer(ks, grant.waitMs)
        else this.pump(ks)
      },
      (error: unknown) => {
        ks.acquiring = false
        this.reserved -= want
        this.store!.errors++
        if (this.stopped) return
        if (error instanceof RateLimiterSetupError) {
          this.rejectWaiting(ks, error)
          return
        }
        const nowMs = this.options.now()
        ks.outageSinceMs ??= nowMs
        const outageMs = nowMs - ks.outageSinceMs
        if (outageMs >= redis.unavailableTimeoutMs) {
          this.rejectWaiting(ks, new RateLimitStoreError(ks.key, outageMs, error))
          ks.outageSinceMs = undefined
          return
        }
        this.armTimer(ks, Math.min(100, this.options.intervalMs))
      },
    )
  }

  private cancel(ks: KeyState, job: Job): void {
    const index = ks.queue.indexOf(job, ks.head)
    if (index === -1) return
    ks.queue.splice(index, 1)
    this.waiting--
    this.cancelled++
    if (ks.head === ks.queue.length && ks.timer !== undefined) {
      clearTimeout(ks.timer)
      ks.timer = undefined
    }
    job.reject(job.signal!.reason)
  }

  private rejectWaiting(ks: KeyState, error: Error): void {
    if (ks.timer !== undefined) {
      clearTimeout(ks.timer)
      ks.timer = undefined
    }
    while (ks.head < ks.queue.length) this.shiftJob(ks).reject(error)
  }
}
