/** Gives the permit back. Calling it again does nothing, so a double release cannot free two permits. */
export type ReleasePermit = () => void

interface Waiter {
  resolve: (release: ReleasePermit) => void
  reject: (reason: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  prev: Waiter | undefined
  next: Waiter | undefined
}

/**
 * A counting semaphore with FIFO fairness: permits go to waiters in the order they asked, and
 * `tryAcquire` never jumps the queue. A released permit is handed straight to the next waiter.
 */
export class Semaphore {
  #permits: number
  #held = 0
  #waiting = 0
  // Doubly linked so an aborted waiter leaves the queue in O(1) instead of lingering until its turn.
  #head: Waiter | undefined
  #tail: Waiter | undefined

  /** @param permits how many holders may run at once: an integer ≥ 0 (0 admits nobody until raised). */
  constructor(permits: number) {
    this.#permits = checkPermits(permits)
  }

  /** Total permits. Raising it admits waiters at once; lowering it below the number held admits nobody until holders drop below it. */
  get permits(): number {
    return this.#permits
  }

  set permits(value: number) {
    this.#permits = checkPermits(value)
    this.#admitWaiters()
  }

  /** Permits free right now (0 while holders exceed a lowered `permits`). */
  get available(): number {
    return Math.max(0, this.#permits - this.#held)
  }

  /** Callers queued in `acquire`. */
  get waiting(): number {
    return this.#waiting
  }

  /**
   * Resolves to the release function once a permit is free. Aborting `signal` while waiting rejects
   * with the signal's reason and leaves the queue without taking a permit.
   */
  acquire(signal?: AbortSignal): Promise<ReleasePermit> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.#head === undefined && this.#held < this.#permits) {
      this.#held++
      return Promise.resolve(this.#releaseOnce())
    }
    return new Promise<ReleasePermit>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, prev: this.#tail, next: undefined }
      if (this.#tail === undefined) this.#head = waiter
      else this.#tail.next = waiter
      this.#tail = waiter
      this.#waiting++
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#unlink(waiter)
          reject(signal.reason)
        }
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
    })
  }

  /** Takes a permit if one is free and nobody is waiting; otherwise returns undefined. */
  tryAcquire(): ReleasePermit | undefined {
    if (this.#head !== undefined || this.#held >= this.#permits) return undefined
    this.#held++
    return this.#releaseOnce()
  }

  /** Runs `fn` while holding a permit and releases it however `fn` ends. */
  async run<T>(fn: () => T | PromiseLike<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal)
    try {
      return await fn()
    } finally {
      release()
    }
  }

  #releaseOnce(): ReleasePermit {
    let released = false
    return () => {
      if (released) return
      released = true
      this.#held--
      this.#admitWaiters()
    }
  }

  #admitWaiters(): void {
    while (this.#head !== undefined && this.#held < this.#permits) {
      const waiter = this.#head
      this.#unlink(waiter)
      if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
      this.#held++
      waiter.resolve(this.#releaseOnce())
    }
  }

  #unlink(waiter: Waiter): void {
    if (waiter.prev === undefined) this.#head = waiter.next
    else waiter.prev.next = waiter.next
    if (waiter.next === undefined) this.#tail = waiter.prev
    else waiter.next.prev = waiter.prev
    waiter.prev = undefined
    waiter.next = undefined
    this.#waiting--
  }
}

function checkPermits(value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Semaphore: permits must be an integer ≥ 0; got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}.`,
    )
  }
  return value
}
