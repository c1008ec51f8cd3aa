/** An `acquire` that waited `acquireTimeoutMs` without getting a resource. */
export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError'
  readonly waitedMs: number

  constructor(
    waitedMs: number,
    state: { size: number; max: number; borrowed: number; pending: number },
    lastCreateError: unknown,
  ) {
    const createHint =
      lastCreateError === undefined
        ? 'every resource is in use: raise max, or release resources sooner (one may be acquired and never released).'
        : `the last create failed: ${lastCreateError instanceof Error ? lastCreateError.message : String(lastCreateError)}.`
    super(
      `ResourcePool: acquire timed out after ${Math.round(waitedMs)} ms (acquireTimeoutMs); ${state.borrowed} of max ${state.max} ` +
        `resources borrowed, ${state.size} in the pool, ${state.pending} callers waiting; ${createHint}`,
      lastCreateError === undefined ? undefined : { cause: lastCreateError },
    )
    this.waitedMs = waitedMs
  }
}

/** `acquire` after `drain()` began. */
export class PoolDrainedError extends Error {
  override readonly name = 'PoolDrainedError'
  constructor() {
    super('ResourcePool: the pool is draining or drained and gives out no more resources; create a new pool.')
  }
}
