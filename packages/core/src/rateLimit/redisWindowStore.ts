import { RateLimiterSetupError } from './errors.js'
import { createHash } from 'node:crypto'
import type { RedisClientLike, ResolvedRedisOptions } from './options.js'
import type { WindowRule } from './window.js'

/** How many starts Redis granted, and how long until it may grant the next one, ms. */
export interface Grant {
  granted: number
  waitMs: number
}

/*
 * The window rules of window.ts, run atomically inside Redis on Redis's clock (TIME), for up to `want`
 * starts in one round trip. KEYS: log (sorted set of grant times), tat (GCRA), epoch, seq.
 * ARGV: cap, windowMs, emissionMs, toleranceMs, want.
 * A fresh Redis (first use, or a restart without persistence) cannot know what the old one granted, so it
 * grants nothing for one windowMs after it first sees this prefix: old and new starts never share a window.
 */
export const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cap = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local emission = tonumber(ARGV[3])
local tolerance = tonumber(ARGV[4])
local want = tonumber(ARGV[5])
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  redis.call('SET', KEYS[3], string.format('%.3f', now))
  return {0, math.ceil(windowMs)}
end
epoch = tonumber(epoch)
if now < epoch + windowMs then return {0, math.ceil(epoch + windowMs - now)} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.3f', now - windowMs))
local inWindow = redis.call('ZCARD', KEYS[1])
local tat = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local base = math.max(tat, now)
local n = math.min(want, cap - inWindow, math.floor((now + tolerance - base) / emission + 1 + 1e-9))
if n < 0 then n = 0 end
if n > 0 then
  local seq = redis.call('INCRBY', KEYS[4], n)
  local members = {}
  for i = 1, n do
    members[#members + 1] = string.format('%.3f', now)
    members[#members + 1] = tostring(seq - n + i)
  end
  redis.call('ZADD', KEYS[1], unpack(members))
  redis.call('PEXPIRE', KEYS[1], math.ceil(windowMs) + 1)
  tat = base + n * emission
  redis.call('SET', KEYS[2], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1)
end
if n >= want then return {n, 0} end
local wait = tat - tolerance - now
if inWindow + n >= cap then
  local oldest = redis.call('ZRANGE', KEYS[1], inWindow + n - cap, inWindow + n - cap, 'WITHSCORES')
  local windowWait = tonumber(oldest[2]) + windowMs - now
  if windowWait > wait then wait = windowWait end
end
if wait < 0 then wait = 0 end
return {n, math.ceil(wait)}
`

const ACQUIRE_SHA = createHash('sha1').update(ACQUIRE_SCRIPT).digest('hex')

/** Shared start log in Redis: one atomic script call per acquire. */
export class RedisWindowStore {
  private client: RedisClientLike | undefined
  private readonly connecting: Promise<RedisClientLike> | undefined
  private readonly ownsClient: boolean
  /** Failed calls since creation (connection errors included). */
  errors = 0

  constructor(private readonly options: ResolvedRedisOptions) {
    this.ownsClient = options.client === undefined
    if (options.client !== undefined) this.client = options.client
    else {
      this.connecting = connectUrl(options.url!, () => this.errors++)
      // Handled here so a missing ioredis never becomes an unhandled rejection; acquire() rethrows it.
      this.connecting.catch(() => undefined)
    }
  }

  async acquire(key: string, rule: WindowRule, want: number, toleranceMs: number): Promise<Grant> {
    if (this.client === undefined) this.client = await this.connecting!
    const client = this.client
    const p = this.options.prefix
    const args = [
      4,
      `${p}:${key}:log`,
      `${p}:${key}:tat`,
      `${p}:epoch`,
      `${p}:seq`,
      rule.cap,
      rule.windowMs,
      rule.emissionMs,
      toleranceMs,
      want,
    ]
    let reply: unknown
    try {
      reply = await client.call('EVALSHA', ACQUIRE_SHA, ...args)
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      reply = await client.call('EVAL', ACQUIRE_SCRIPT, ...args)
    }
    const [granted, waitMs] = reply as [number, number]
    return { granted, waitMs }
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return
    const client = this.client ?? (await this.connecting?.catch(() => undefined))
    await client?.quit().catch(() => undefined)
  }
}

async function connectUrl(url: string, onError: () => void): Promise<RedisClientLike> {
  const ioredis = await import('ioredis').catch((cause: unknown) => {
    throw new RateLimiterSetupError(
      'RateLimiter: redis.url needs the ioredis package (npm install ioredis), or pass redis.client.',
      cause,
    )
  })
  // Fail a command after one failed reconnect instead of queueing it for ~20: the limiter retries on its own
  // and needs to see the outage to apply unavailableTimeoutMs.
  const client = new ioredis.Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 50, 500),
  })
  client.on('error', onError)
  return client
}
