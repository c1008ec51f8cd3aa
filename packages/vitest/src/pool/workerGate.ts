/**
 * The resizable gate between Vitest's scheduler and real workers: a test file may run only while it
 * holds a slot. Vitest dispatches up to `workers.max` files at once; the gate lets `limit` of them run
 * and keeps the rest waiting, so the limit can move in both directions mid-run without Vitest knowing.
 *
 * Pure bookkeeping: no timers, no I/O. Admission beyond the count (the memory budget) is a predicate
 * the owner passes in, so the gate stays testable on its own.
 */

export interface GateRequest {
  /** What waits: a test file path, for admission decisions and messages. */
  readonly file: string
  /** Larger runs first among waiters: the expected duration from history, so long files start early. */
  readonly priority: number
  /** A retry runs alone: it is admitted only when nothing else runs, and nothing else starts beside it. */
  readonly exclusive: boolean
}

export type Release = () => void

interface Waiter {
  request: GateRequest
  grant: (release: Release) => void
  reject: (reason: unknown) => void
  seq: number
}

export type AdmissionCheck = (request: GateRequest, running: readonly GateRequest[]) => boolean

export class AdaptiveWorkerGate {
  #limit: number
  #running: GateRequest[] = []
  #waiting: Waiter[] = []
  #seq = 0
  #admits: AdmissionCheck

  constructor(limit: number, admits: AdmissionCheck = () => true) {
    this.#limit = checkLimit(limit)
    this.#admits = admits
  }

  get limit(): number {
    return this.#limit
  }

  /** Lowering the limit stops new starts until enough running files finish; it never stops a running one. */
  set limit(value: number) {
    this.#limit = checkLimit(value)
    this.pump()
  }

  get running(): number {
    return this.#running.length
  }

  get waiting(): number {
    return this.#waiting.length
  }

  get runningFiles(): readonly GateRequest[] {
    return this.#running
  }

  /** Resolves with a release function once the request may run; `signal` withdraws a waiting request. */
  acquire(request: GateRequest, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { request, grant: resolve, reject, seq: this.#seq++ }
      this.#waiting.push(waiter)
      if (signal) {
        const onAbort = () => {
          const index = this.#waiting.indexOf(waiter)
          if (index === -1) return
          this.#waiting.splice(index, 1)
          reject(signal.reason)
          this.pump()
        }
        signal.addEventListener('abort', onAbort, { once: true })
        waiter.grant = (release) => {
          signal.removeEventListener('abort', onAbort)
          resolve(release)
        }
      }
      this.pump()
    })
  }

  /**
   * Starts as many waiters as the limit, exclusivity and the admission check allow. Call it again when
   * something outside the gate changes (memory was measured): admission may have become possible.
   */
  pump(): void {
    while (this.#waiting.length > 0) {
      if (this.#running.some((r) => r.exclusive)) return
      const ordered = [...this.#waiting].sort(compare)
      const first = ordered[0]!
      let chosen: Waiter | undefined
      if (first.request.exclusive) {
        if (this.#running.length > 0) return
        chosen = first
      } else {
        if (this.#running.length >= this.#limit) return
        // Someone must always be able to run, or a file bigger than the budget would wait forever.
        // Beside others, the first file in order that fits runs (first-fit decreasing): a small file may
        // pass a big one that has to wait for memory, so the memory left over is used.
        chosen =
          this.#running.length === 0
            ? first
            : ordered.find((waiter) => !waiter.request.exclusive && this.#admits(waiter.request, this.#running))
        if (!chosen) return
      }
      this.#waiting.splice(this.#waiting.indexOf(chosen), 1)
      this.#running.push(chosen.request)
      chosen.grant(this.#releaseFor(chosen.request))
    }
  }

  #releaseFor(request: GateRequest): Release {
    let released = false
    return () => {
      if (released) return
      released = true
      const index = this.#running.indexOf(request)
      if (index !== -1) this.#running.splice(index, 1)
      this.pump()
    }
  }
}

/** An exclusive waiter (a retry) goes first; then the longest expected file; then arrival order. */
function compare(a: Waiter, b: Waiter): number {
  if (a.request.exclusive !== b.request.exclusive) return a.request.exclusive ? -1 : 1
  if (a.request.priority !== b.request.priority) return b.request.priority - a.request.priority
  return a.seq - b.seq
}

function checkLimit(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`worker limit must be an integer ≥ 1, got ${String(value)}`)
  }
  return value
}
