import { availableParallelism } from 'node:os'
import { checkKnownKeys, checkOptionsObject, isFiniteNumber, showValue } from '../validate/options.js'
import { type LoadThresholds, THRESHOLD_NAMES } from './thresholds.js'

/** What the load goes to: an http(s) URL on this machine, or an async function run in the calling thread. */
export type LoadTarget = string | URL | (() => unknown)

export interface LoadTesterOptions {
  /** A URL (each request a GET unless `request` says otherwise) or a function called once per request (a rejection or throw is an error). */
  target: LoadTarget
  /**
   * `open`: requests arrive at `rate` whatever the target does, latency measured from when each was due.
   * `closed`: `concurrency` loops, each sending its next request when the previous answered. Default: `open`
   * when `rate` is given, else `closed`.
   */
  mode?: 'open' | 'closed'
  /** Open model: requests per second. Required there; not allowed in the closed model. */
  rate?: number
  /** Closed model: loops (default 10, autocannon's default connections). Open model: most requests in flight (default 100). */
  concurrency?: number
  /** How long requests are started, ms. Default 10 000 when `requests` is not given. */
  durationMs?: number
  /** Stop after this many requests were sent (with `durationMs`, whichever comes first). */
  requests?: number
  /** Limits the run must meet; `run()` reports misses, `loadTest()` throws on them. */
  thresholds?: LoadThresholds
  /**
   * Memory-aware modes (default on): the old-generation heap of this thread against V8's limit, or against
   * `limitBytes` when lower. `false` turns the modes off (the run may then take the process past its heap limit).
   */
  memory?: false | { limitBytes?: number }
  /** URL targets: the request each time. Default `GET` without headers or body. */
  request?: { method?: string; headers?: Record<string, string>; body?: string }
  /** URL targets: a request without a full answer after this long fails ("timeout"). All targets: how long the end waits for requests in flight. Default 10 000 ms. */
  timeoutMs?: number
  /**
   * URL targets: worker threads sending requests, each its own event loop and connections. `'auto'` (default)
   * starts one and adds one while every thread's event loop is saturated and the load is not met, up to the
   * cores minus one (the target on this machine needs a core too).
   */
  threads?: number | 'auto'
  /** A progress line on a terminal (stderr) and a one-line summary at the end; only the summary when not a terminal or in CI. Default true. */
  progress?: boolean
}

export interface ResolvedLoadOptions {
  target: LoadTarget
  targetName: string
  url: URL | undefined
  mode: 'open' | 'closed'
  rate: number
  concurrency: number
  durationMs: number
  requests: number
  thresholds: LoadThresholds
  memoryLimitBytes: number | undefined
  memory: boolean
  request: { method: string; headers: Record<string, string>; body: string | undefined }
  timeoutMs: number
  threads: number | 'auto'
  maxThreads: number
  progress: boolean
}

const OWNER = 'LoadTester'
const OPTION_KEYS: Record<keyof LoadTesterOptions, true> = {
  target: true,
  mode: true,
  rate: true,
  concurrency: true,
  durationMs: true,
  requests: true,
  thresholds: true,
  memory: true,
  request: true,
  timeoutMs: true,
  threads: true,
  progress: true,
}
const DEFAULT_DURATION_MS = 10_000
const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_CLOSED_CONCURRENCY = 10
const DEFAULT_OPEN_IN_FLIGHT = 100

function fail(name: string, value: unknown, allowed: string): never {
  throw new RangeError(`${OWNER}: ${name} must be ${allowed}; got ${showValue(value)}.`)
}

function positive(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (!isFiniteNumber(value) || value <= 0) fail(name, value, 'a finite number > 0')
  return value
}

function positiveInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || (value as number) < 1) fail(name, value, 'an integer ≥ 1')
  return value as number
}

/** Validates the options of `new LoadTester(options)`; a bad or unknown option throws one RangeError naming it. */
export function resolveLoadOptions(options: unknown): ResolvedLoadOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RangeError(`${OWNER}: options must be an object with a target; got ${showValue(options)}.`)
  }
  const given = options as Record<string, unknown>
  checkKnownKeys(OWNER, given, Object.keys(OPTION_KEYS))

  const target = given.target
  let url: URL | undefined
  let targetName: string
  if (typeof target === 'function') targetName = `function ${target.name || '(anonymous)'}`
  else if (typeof target === 'string' || target instanceof URL) {
    try {
      url = new URL(target)
    } catch {
      fail('target', target, 'an http(s) URL or a function')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('target', target, 'an http(s) URL or a function')
    targetName = url.href
  } else fail('target', target, 'an http(s) URL or a function')

  const rate = positive('rate', given.rate)
  if (given.mode !== undefined && given.mode !== 'open' && given.mode !== 'closed')
    fail('mode', given.mode, "'open' or 'closed'")
  const mode = (given.mode as 'open' | 'closed' | undefined) ?? (rate === undefined ? 'closed' : 'open')
  if (mode === 'open' && rate === undefined)
    fail('rate', rate, 'requests per second (a finite number > 0) in the open model')
  if (mode === 'closed' && rate !== undefined)
    fail('rate', rate, "left out in the closed model (use mode: 'open' for a fixed arrival rate)")

  const durationGiven = positive('durationMs', given.durationMs)
  const requests = positiveInteger('requests', given.requests)
  const concurrency =
    positiveInteger('concurrency', given.concurrency) ??
    (mode === 'open' ? DEFAULT_OPEN_IN_FLIGHT : DEFAULT_CLOSED_CONCURRENCY)
  const timeoutMs = positive('timeoutMs', given.timeoutMs) ?? DEFAULT_TIMEOUT_MS

  const thresholds = checkOptionsObject(OWNER, given.thresholds, 'thresholds') as LoadThresholds
  checkKnownKeys(OWNER, thresholds, THRESHOLD_NAMES, 'thresholds')
  for (const name of THRESHOLD_NAMES) {
    const value = thresholds[name]
    if (value === undefined) continue
    if (name === 'errorRate') {
      if (!isFiniteNumber(value) || value < 0 || value > 1) fail('thresholds.errorRate', value, 'a share from 0 to 1')
    } else if (!isFiniteNumber(value) || value < 0)
      fail(`thresholds.${name}`, value, name === 'minRps' ? 'requests per second ≥ 0' : 'a number of ms ≥ 0')
  }

  let memory = true
  let memoryLimitBytes: number | undefined
  if (given.memory === false) memory = false
  else {
    const memoryOptions = checkOptionsObject(OWNER, given.memory, 'memory')
    checkKnownKeys(OWNER, memoryOptions, ['limitBytes'], 'memory')
    memoryLimitBytes = positive('memory.limitBytes', memoryOptions.limitBytes)
  }

  const requestOptions = checkOptionsObject(OWNER, given.request, 'request')
  checkKnownKeys(OWNER, requestOptions, ['method', 'headers', 'body'], 'request')
  if (
    requestOptions.method !== undefined &&
    (typeof requestOptions.method !== 'string' || requestOptions.method === '')
  ) {
    fail('request.method', requestOptions.method, 'an HTTP method such as "POST"')
  }
  const headers = checkOptionsObject(OWNER, requestOptions.headers, 'request.headers')
  for (const [name, value] of Object.entries(headers)) {
    // The request is written as it is: a line break would end the header early.
    if (typeof value !== 'string' || /[\r\n]/.test(value) || /[\r\n:]/.test(name))
      fail(`request.headers.${name}`, value, 'a string without line breaks')
  }
  if (requestOptions.body !== undefined && typeof requestOptions.body !== 'string')
    fail('request.body', requestOptions.body, 'a string')
  if (url === undefined && Object.keys(requestOptions).length > 0)
    fail('request', requestOptions, 'left out for a function target (it applies to URL targets)')

  const threads = given.threads ?? 'auto'
  if (threads !== 'auto' && (!Number.isInteger(threads) || (threads as number) < 1))
    fail('threads', threads, "an integer ≥ 1 or 'auto'")
  if (url === undefined && given.threads !== undefined)
    fail('threads', threads, 'left out for a function target (a function runs in the calling thread)')
  if (given.progress !== undefined && typeof given.progress !== 'boolean')
    fail('progress', given.progress, 'true or false')

  return {
    target: target as LoadTarget,
    targetName,
    url,
    mode,
    rate: rate ?? 0,
    concurrency,
    durationMs: durationGiven ?? (requests === undefined ? DEFAULT_DURATION_MS : Number.POSITIVE_INFINITY),
    requests: requests ?? Number.POSITIVE_INFINITY,
    thresholds: { ...thresholds },
    memoryLimitBytes,
    memory,
    request: {
      method: (requestOptions.method as string | undefined)?.toUpperCase() ?? 'GET',
      headers: headers as Record<string, string>,
      body: requestOptions.body as string | undefined,
    },
    timeoutMs,
    threads: threads as number | 'auto',
    maxThreads: Math.max(1, availableParallelism() - 1),
    progress: (given.progress as boolean | undefined) ?? true,
  }
}
