/** A job was refused or dropped because `stop()` or `close()` was called before it started. */
export class RateLimiterStoppedError extends Error {
  override name = 'RateLimiterStoppedError'
  constructor() {
    super(
      'RateLimiter was stopped before this job started; the job did not run. Create a new RateLimiter to schedule more work.',
    )
  }
}

/**
 * Cluster mode only: Redis stayed unreachable for longer than `redis.unavailableTimeoutMs`, so this job was
 * never granted a start and did not run. The Redis error is in `cause`.
 */
export class RateLimitStoreError extends Error {
  override name = 'RateLimitStoreError'
  constructor(key: string, outageMs: number, cause: unknown) {
    super(
      `RateLimiter could not reach Redis for ${Math.round(outageMs)} ms while key "${key}" had waiting jobs; ` +
        'this job did not run. Check that Redis is up, or raise redis.unavailableTimeoutMs to wait longer.',
      { cause },
    )
  }
}

/** Cluster mode only: the limiter cannot talk to Redis at all (e.g. `redis.url` without ioredis installed); waiting jobs are rejected at once, without retries. */
export class RateLimiterSetupError extends Error {
  override name = 'RateLimiterSetupError'
  constructor(message: string, cause: unknown) {
    super(message, { cause })
  }
}
