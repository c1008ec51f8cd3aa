/**
 * The part of the load one thread sends: in the open model an arrival rate and a cap on requests in flight, in
 * the closed model a number of loops that each send the next request when the previous one answered.
 */
export type LoopShare = { model: 'open'; ratePerSec: number; maxInFlight: number } | { model: 'closed'; loops: number }

/** Sends one request and calls `done` once with undefined (success) or an error message. */
export type IssueRequest = (done: (error: string | undefined) => void) => void

export interface RequestLoopOptions {
  issue: IssueRequest
  /**
   * One finished request: when it finished and its latency, ms (open model: from its intended start, so time spent
   * waiting for a free slot counts; closed model: from when it was sent), its error message if it failed, and its
   * latency from when it was sent (equal to `latencyMs` in the closed model).
   */
  onResult: (finishedAtMs: number, latencyMs: number, error: string | undefined, fromSendMs: number) => void
  /** Open model: called at each send with how late it is after its due time, ms. */
  onSend?: (lagMs: number) => void
  /** Takes one request from the run's budget; false when the budget is spent (no budget: always true). */
  claim: () => boolean
  /** No request is started at or after this time (the `now()` clock). */
  endMs: number
  share: LoopShare
  now?: () => number
}

/**
 * Waits shorter than this go through `setImmediate` (the loop still serves I/O); longer ones through a timer, which
 * Node fires within about a millisecond either side of the due time (its clock is whole ms), so an early one ends
 * with a short spin. Spinning every wait's last 2 ms instead took 26–33% of a core at 200 requests a second.
 */
const SPIN_BELOW_MS = 1
/**
 * A target that answers at once (an async function resolving without I/O) chains answers and sends in microtasks;
 * this often the chain goes through `setImmediate` so timers (the end, the memory guard, progress) still run.
 */
const YIELD_EVERY_MS = 5
/** Slack for rounding when counting whole intervals. */
const EPSILON = 1e-6

/**
 * Sends requests on one thread. Open model: request i is due at start + i / rate; the send that is late because
 * every slot is busy (or the loop was) still has its latency measured from when it was due, so a target that stalls
 * is charged for the requests queued behind it (no coordinated omission). Due requests wait as a count, not as
 * objects: a stalled target costs the tester no memory.
 */
export class RequestLoop {
  readonly #issue: IssueRequest
  readonly #onResult: RequestLoopOptions['onResult']
  readonly #claim: () => boolean
  readonly #onSend: ((lagMs: number) => void) | undefined
  readonly #endMs: number
  readonly #now: () => number
  #share: LoopShare
  #inFlight = 0
  // Due time of the next request: anchor + sent × interval, multiplied rather than summed, so 200 requests 5 ms
  // apart end exactly at the 200th (a running sum drifts by rounding, and the count due before the end with it).
  #anchorMs = 0
  #sentSinceAnchor = 0
  #intervalMs = 0
  #activeLoops = 0
  #issuing = false
  #armed = false
  #unsent = 0
  #lastYieldMs = 0
  #settle: (() => void) | undefined
  #settleStopped: (() => void) | undefined
  /** Resolves when no more requests will start, and `finished` when the last one in flight has answered too. */
  readonly stopped: Promise<void>
  readonly finished: Promise<void>

  constructor(options: RequestLoopOptions) {
    this.#issue = options.issue
    this.#onResult = options.onResult
    this.#claim = options.claim
    this.#onSend = options.onSend
    this.#endMs = options.endMs
    this.#now = options.now ?? (() => performance.now())
    this.#share = options.share
    this.finished = new Promise((resolve) => {
      this.#settle = resolve
    })
    this.stopped = new Promise((resolve) => {
      this.#settleStopped = resolve
    })
  }

  get inFlight(): number {
    return this.#inFlight
  }

  /** Open model: requests that were due before the end but never sent (every slot stayed busy). */
  get unsent(): number {
    return this.#unsent
  }

  /** Open model: requests due now and not yet sent (after the end: those that were due before it). */
  get backlog(): number {
    if (this.#share.model !== 'open' || !this.#issuing) return 0
    const nowMs = this.#now()
    const next = this.#nextDueMs()
    if (nowMs < this.#endMs) return nowMs < next ? 0 : Math.floor((nowMs - next) / this.#intervalMs + EPSILON) + 1
    return this.#dueBeforeEnd()
  }

  /** Open model: requests not yet sent that are due before the end. */
  #dueBeforeEnd(): number {
    const next = this.#nextDueMs()
    return next >= this.#endMs ? 0 : Math.ceil((this.#endMs - next) / this.#intervalMs - EPSILON)
  }

  #nextDueMs(): number {
    return this.#anchorMs + this.#sentSinceAnchor * this.#intervalMs
  }

  #anchorAt(ms: number): void {
    this.#anchorMs = ms
    this.#sentSinceAnchor = 0
  }

  /**
   * Starts sending. `startMs` (the `now()` clock, default now) is when the first request is due: a thread told to
   * start late (its message was slow) still owes the requests due since the run's start, sent at once with their lag.
   */
  start(startMs = this.#now()): void {
    this.#issuing = true
    this.#anchorAt(startMs)
    this.#lastYieldMs = this.#now()
    this.setShare(this.#share)
  }

  /** A new share (a mode switch or a new thread): open model re-spaces requests not yet due; closed model adds or retires loops. */
  setShare(share: LoopShare): void {
    this.#share = share
    if (!this.#issuing) return
    if (share.model === 'open') {
      const nowMs = this.#now()
      const intervalMs = share.ratePerSec > 0 ? 1000 / share.ratePerSec : Number.POSITIVE_INFINITY
      // Requests already due keep their times; the next one not yet due moves to the new spacing.
      const next = this.#intervalMs > 0 ? this.#nextDueMs() : this.#anchorMs
      this.#anchorAt(
        next > nowMs && this.#intervalMs > 0 ? Math.max(nowMs, next - this.#intervalMs + intervalMs) : next,
      )
      this.#intervalMs = intervalMs
      this.#pump()
    } else {
      while (this.#activeLoops < share.loops && this.#issuing) {
        this.#activeLoops++
        this.#sendClosed()
      }
    }
  }

  /**
   * Starts no more requests; `finished` resolves once those in flight have answered. `runEnded`: the caller's clock
   * says the run is over, so every request due before the end and not sent is `unsent`, even if this thread's clock
   * is a little behind (otherwise only those already due count: the run stopped early).
   */
  stop(runEnded = false): void {
    if (!this.#issuing) return
    if (this.#share.model === 'open') this.#unsent += runEnded ? this.#dueBeforeEnd() : this.backlog
    this.#issuing = false
    this.#settleStopped?.()
    this.#settleIfIdle()
  }

  #pump(): void {
    if (!this.#issuing || this.#share.model !== 'open') return
    const nowMs = this.#now()
    if (nowMs >= this.#endMs) {
      this.stop()
      return
    }
    const maxInFlight = this.#share.maxInFlight
    while (this.#inFlight < maxInFlight && this.#nextDueMs() <= nowMs) {
      if (!this.#claim()) {
        this.stop()
        return
      }
      const dueMs = this.#nextDueMs()
      this.#sentSinceAnchor++
      this.#onSend?.(nowMs - dueMs)
      this.#send(dueMs)
    }
    // Full: the next answer pumps again. Otherwise wait for the next due time (or the end).
    if (this.#inFlight < maxInFlight) this.#arm(Math.min(this.#nextDueMs(), this.#endMs) - nowMs)
  }

  #arm(waitMs: number): void {
    if (this.#armed) return
    this.#armed = true
    const fire = () => {
      this.#armed = false
      this.#lastYieldMs = this.#now()
      this.#pump()
    }
    if (waitMs < SPIN_BELOW_MS) setImmediate(fire)
    else setTimeout(fire, waitMs)
  }

  #send(fromMs: number): void {
    this.#inFlight++
    const sentMs = this.#now()
    let answered = false
    this.#issue((error) => {
      if (answered) return
      answered = true
      this.#inFlight--
      const nowMs = this.#now()
      this.#onResult(nowMs, nowMs - fromMs, error, nowMs - sentMs)
      const next = this.#share.model === 'open' ? () => this.#pump() : () => this.#nextClosed()
      if (nowMs - this.#lastYieldMs < YIELD_EVERY_MS) next()
      else {
        this.#lastYieldMs = nowMs
        setImmediate(next)
      }
      this.#settleIfIdle()
    })
  }

  #sendClosed(): void {
    if (this.#now() >= this.#endMs || !this.#claim()) {
      this.#activeLoops--
      this.stop()
      return
    }
    this.#send(this.#now())
  }

  #nextClosed(): void {
    const loops = this.#share.model === 'closed' ? this.#share.loops : 0
    if (!this.#issuing || this.#activeLoops > loops) {
      this.#activeLoops--
      return
    }
    this.#sendClosed()
  }

  #settleIfIdle(): void {
    if (!this.#issuing && this.#inFlight === 0) this.#settle?.()
  }
}
