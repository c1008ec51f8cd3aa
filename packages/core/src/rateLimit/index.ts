export { RateLimiterSetupError, RateLimiterStoppedError, RateLimitStoreError } from './errors.js'
export type { PredictOptions, RateLimiterOptions, RedisClientLike, RedisOptions } from './options.js'
export { RateLimiter } from './RateLimiter.js'
export type { RateLimiterStats, ScheduleOptions } from './RateLimiter.js'
