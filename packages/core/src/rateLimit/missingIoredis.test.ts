import { describe, expect, it, vi } from 'vitest'
import { RateLimiterSetupError } from './errors.js'
import { RateLimiter } from './RateLimiter.js'

// ioredis is an optional peer: a user with redis.url and no ioredis installed must get one clear error
// on their jobs, not an unhandled rejection that ends the process.
vi.mock('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'")
})

describe('RateLimiter with redis.url and no ioredis installed', () => {
  it('rejects scheduled jobs at once with an error that says what to install, and crashes nothing', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const limiter = new RateLimiter({ limit: 5, intervalMs: 1000, redis: { url: 'redis://127.0.0.1:1' } })
      // Let the failed import settle before anything is scheduled: that is when the rejection went unhandled.
      await new Promise((resolve) => setTimeout(resolve, 50))
      const ran = vi.fn()
      const started = Date.now()
      const error = await limiter.schedule(ran).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RateLimiterSetupError)
      expect((error as Error).message).toBe(
        'RateLimiter: redis.url needs the ioredis package (npm install ioredis), or pass redis.client.',
      )
      // not retried until redis.unavailableTimeoutMs: a missing package does not come back
      expect(Date.now() - started).toBeLessThan(1000)
      expect(ran).not.toHaveBeenCalled()
      await limiter.close()
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
