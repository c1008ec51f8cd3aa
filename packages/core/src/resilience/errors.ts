/** Thrown (or passed to `fallback`) for a call the circuit breaker refused without running it. */
export class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError'
  /** Milliseconds until the breaker lets one trial call through; undefined while a trial call is still running. */
  readonly retryAfterMs: number | undefined

  constructor(retryAfterMs: number | undefined) {
    super(
      retryAfterMs === undefined
        ? 'Circuit breaker is half-open and its one trial call has not settled yet; calls are refused until it succeeds (close) or fails (open again).'
        : `Circuit breaker is open; it will let one trial call through in ${Math.ceil(retryAfterMs)} ms.`,
    )
    this.retryAfterMs = retryAfterMs
  }
}

/** A call that did not settle within the breaker's `timeoutMs`; it counts as a failure. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError'
  readonly timeoutMs: number

  constructor(timeoutMs: number) {
    super(`Call did not settle within the circuit breaker's timeoutMs (${timeoutMs} ms); counted as a failure.`)
    this.timeoutMs = timeoutMs
  }
}
