export { AdaptiveLimiter } from './adaptiveLimiter.js'
export type { AdaptiveLimiterOptions, LatencySample, LimitChangeReason, LimitListener } from './adaptiveLimiter.js'
export { rollingConcurrency } from './rollingConcurrency.js'
export type { RollingConcurrencyOptions } from './rollingConcurrency.js'
