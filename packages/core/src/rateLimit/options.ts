import { checkKnownKeys, checkOptionsObject, showValue } from '../validate/options.js'

/** The subset of an ioredis client the limiter uses; an `ioredis` `Redis` instance fits. */
export interface RedisClientLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>
  quit(): Promise<unknown>
}

export interface RedisOptions {
  /** An ioredis client you own (the limiter never closes it), or */
  client?: RedisClientLike
  /** a redis:// URL: the limiter creates its own ioredis client (ioredis must be installed) and closes it in close(). */
  url?: string
  /** Key prefix in Redis. Default 'qtests:rate'. Limiters that share a prefix share limits: use one configuration per prefix. */
  prefix?: string
  /**
   * How late after Redis grants a start the job may still start, ms. Default 50. Starts are granted at Redis
   * time but happen on the client after the reply arrives, so Redis checks windows of intervalMs + leaseMs;
   * a job that would start later than this after the request was sent is not started on that grant.
   */
  leaseMs?: number
  /** Most starts asked for in one round trip. Default 64. */
  batch?: number
  /** Waiting jobs of a key reject with RateLimitStoreError once Redis has failed for this long, ms. Default 10 000. */
  unavailableTimeoutMs?: number
}

export interface PredictOptions {
  /** Weight of the newest window in the demand EWMA, in (0, 1]. Default 0.5: reacts within one or two windows. */
  smoothing?: number
}

export interface RateLimiterOptions {
  /** Starts allowed per key in any window of intervalMs (before burst). Positive integer. */
  limit: number
  /** Window length, ms. Positive, finite. */
  intervalMs: number
  /** Most jobs running at once across all keys of this limiter (this process). Default: no cap. */
  maxConcurrent?: number
  /**
   * Extra starts one window may hold on top of `limit`, paid back later: the sustained rate stays
   * limit per intervalMs. Non-negative integer. Default 0.
   */
  burst?: number
  /** Cluster mode: share the limits through Redis. Default: local (this process only). */
  redis?: RedisOptions
  /** Per-key `limit` overrides; every other key gets `limit`. */
  keyLimits?: Readonly<Record<string, number>>
  /** Space starts out when a key's predicted demand exceeds its limit. Default false. */
  predict?: boolean | PredictOptions
  /** Clock, ms. Default performance.now() (local) — monotonic; inject a fake one in tests. */
  now?: () => number
}

export interface ResolvedRedisOptions {
  client?: RedisClientLike
  url?: string
  prefix: string
  leaseMs: number
  batch: number
  unavailableTimeoutMs: number
}

export interface ResolvedOptions {
  limit: number
  intervalMs: number
  maxConcurrent: number
  burst: number
  redis: ResolvedRedisOptions | undefined
  keyLimits: ReadonlyMap<string, number>
  /** EWMA smoothing, or 0 when prediction is off. */
  predictSmoothing: number
  now: () => number
}

const OWNER = 'RateLimiter'

// Records, not lists, so adding an option to an interface without allowing it here fails to compile.
const OPTION_KEYS: Record<keyof RateLimiterOptions, true> = {
  limit: true,
  intervalMs: true,
  maxConcurrent: true,
  burst: true,
  redis: true,
  keyLimits: true,
  predict: true,
  now: true,
}
const REDIS_KEYS: Record<keyof RedisOptions, true> = {
  client: true,
  url: true,
  prefix: true,
  leaseMs: true,
  batch: true,
  unavailableTimeoutMs: true,
}
const PREDICT_KEYS: Record<keyof PredictOptions, true> = { smoothing: true }

function fail(option: string, value: unknown, allowed: string): never {
  throw new RangeError(`${OWNER}: ${option} must be ${allowed}; got ${showValue(value)}.`)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(option, value, 'a positive integer')
  return value
}

function positiveFinite(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(option, value, 'a positive finite number')
  return value
}

export function resolveOptions(options: RateLimiterOptions): ResolvedOptions {
  if (!isPlainObject(options)) fail('options', options, 'an object with limit and intervalMs')
  checkKnownKeys(OWNER, options, Object.keys(OPTION_KEYS))
  const limit = positiveInteger('limit', options.limit)
  const intervalMs = positiveFinite('intervalMs', options.intervalMs)
  let maxConcurrent = Number.POSITIVE_INFINITY
  if (options.maxConcurrent !== undefined) maxConcurrent = positiveInteger('maxConcurrent', options.maxConcurrent)
  let burst = 0
  if (options.burst !== undefined) {
    if (typeof options.burst !== 'number' || !Number.isSafeInteger(options.burst) || options.burst < 0) {
      fail('burst', options.burst, 'a non-negative integer')
    }
    burst = options.burst
  }
  const keyLimits = new Map<string, number>()
  if (options.keyLimits !== undefined) {
    if (!isPlainObject(options.keyLimits)) fail('keyLimits', options.keyLimits, 'an object of { [key]: limit }')
    for (const [key, value] of Object.entries(options.keyLimits)) {
      keyLimits.set(key, positiveInteger(`keyLimits[${JSON.stringify(key)}]`, value))
    }
  }
  let predictSmoothing = 0
  if (options.predict === true) predictSmoothing = 0.5
  else if (isPlainObject(options.predict)) {
    checkKnownKeys(OWNER, options.predict, Object.keys(PREDICT_KEYS), 'predict')
    const s = options.predict.smoothing ?? 0.5
    if (typeof s !== 'number' || !(s > 0 && s <= 1)) fail('predict.smoothing', s, 'a number in (0, 1]')
    predictSmoothing = s
  } else if (options.predict !== undefined && options.predict !== false) {
    fail('predict', options.predict, 'a boolean or { smoothing }')
  }
  let now: () => number = () => performance.now()
  if (options.now !== undefined) {
    if (typeof options.now !== 'function') fail('now', options.now, 'a function returning milliseconds')
    now = options.now
  }
  return {
    limit,
    intervalMs,
    maxConcurrent,
    burst,
    redis: resolveRedis(options.redis),
    keyLimits,
    predictSmoothing,
    now,
  }
}

function resolveRedis(redis: RedisOptions | undefined): ResolvedRedisOptions | undefined {
  if (redis === undefined) return undefined
  checkOptionsObject(OWNER, redis, 'redis')
  checkKnownKeys(OWNER, redis, Object.keys(REDIS_KEYS), 'redis')
  const hasClient = redis.client !== undefined
  const hasUrl = redis.url !== undefined
  if (hasClient === hasUrl) {
    const got = hasClient ? 'both' : 'neither'
    throw new RangeError(`RateLimiter: redis must have exactly one of { client } or { url }; got ${got}.`)
  }
  if (hasClient && typeof redis.client?.call !== 'function') fail('redis.client', redis.client, 'an ioredis client')
  if (hasUrl && (typeof redis.url !== 'string' || !/^rediss?:\/\//.test(redis.url))) {
    fail('redis.url', redis.url, 'a redis:// or rediss:// URL')
  }
  const prefix = redis.prefix ?? 'qtests:rate'
  if (typeof prefix !== 'string' || prefix.length === 0) fail('redis.prefix', prefix, 'a non-empty string')
  const leaseMs = redis.leaseMs ?? 50
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs < 0) {
    fail('redis.leaseMs', leaseMs, 'a non-negative finite number')
  }
  return {
    ...(hasClient ? { client: redis.client } : { url: redis.url }),
    prefix,
    leaseMs,
    batch: positiveInteger('redis.batch', redis.batch ?? 64),
    unavailableTimeoutMs: positiveFinite('redis.unavailableTimeoutMs', redis.unavailableTimeoutMs ?? 10_000),
  }
}
